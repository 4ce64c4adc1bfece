import type { StateSeed } from './types.js';

// The 193 UN Member States and the two non-member observer States (Holy See, State of Palestine), sorted by
// ISO 3166-1 alpha-3 code.
//
// name: the short name in the UN Statistics Division's M49 list and the UN Member States list ("Türkiye",
// "Netherlands (Kingdom of the)", "Bolivia (Plurinational State of)"), which is also the form OHCHR uses for
// UPR documents.
//
// regionalGroup: the regional groups of Member States as listed by the UN Department for General Assembly
// and Conference Management (DGACM, "Regional groups of Member States").
//   - United States of America: not a member of any regional group; it attends WEOG meetings as an observer
//     and counts as WEOG for electoral purposes. UPR Info and OHCHR count it in WEOG for UPR statistics, and
//     so do we: 'WEOG', with the reason in regionalGroupNote.
//   - Türkiye: participates fully in both the Asia-Pacific group and WEOG, counted in WEOG for electoral
//     purposes: 'WEOG'.
//   - Israel: full member of WEOG (temporary from 2000, renewed permanently in 2004): 'WEOG'.
//   - Kiribati: long described as belonging to no group ("as of 2010"), but the current DGACM list names it
//     among the Asia-Pacific States: 'Asia-Pacific'.
//   - State of Palestine: member of the Asia-Pacific group since 1986 (as the PLO): 'Asia-Pacific'.
//   - Holy See: not in any group (it attends WEOG as an observer): null.
//
// aliases: other names a state appears under in UN documents and data sets: official long forms, former
// names, common short forms, list forms ("Korea, Republic of", World Bank "Korea, Rep.") and misspellings
// found in real data (the Terman UPR 2008-2014 data set: "kyrgysztan", "Centeral African Republic"; UPR Info's
// short names: "DPR Korea", "Macedonia FYR").
// Lookups go through normalizeStateName (src/states/names.ts), so no alias here differs from the name or
// another alias only by case, spacing, punctuation or diacritics, and no two keys collide across states.
// Deliberately absent: "Korea" and "Congo" used for the DRC (ambiguous), "Serbia and Montenegro" and other
// predecessor states, and territories ("Occupied Palestinian Territory").
export const USA_GROUP_NOTE =
  'Not a member of any UN regional group: the United States sits with WEOG as an observer (and counts as WEOG ' +
  'for electoral purposes). UPR Info and OHCHR count it in WEOG for UPR statistics, and so does this API.';

export const STATES: readonly StateSeed[] = [
  { code: 'AFG', name: 'Afghanistan', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Islamic Republic of Afghanistan'] },
  { code: 'AGO', name: 'Angola', regionalGroup: 'African', unMember: true, aliases: ['Republic of Angola'] },
  { code: 'ALB', name: 'Albania', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Albania'] },
  { code: 'AND', name: 'Andorra', regionalGroup: 'WEOG', unMember: true, aliases: ['Principality of Andorra'] },
  { code: 'ARE', name: 'United Arab Emirates', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['UAE'] },
  { code: 'ARG', name: 'Argentina', regionalGroup: 'GRULAC', unMember: true, aliases: ['Argentine Republic'] },
  { code: 'ARM', name: 'Armenia', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Armenia'] },
  { code: 'ATG', name: 'Antigua and Barbuda', regionalGroup: 'GRULAC', unMember: true, aliases: [] },
  { code: 'AUS', name: 'Australia', regionalGroup: 'WEOG', unMember: true, aliases: ['Commonwealth of Australia'] },
  { code: 'AUT', name: 'Austria', regionalGroup: 'WEOG', unMember: true, aliases: ['Republic of Austria'] },
  { code: 'AZE', name: 'Azerbaijan', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Azerbaijan'] },
  { code: 'BDI', name: 'Burundi', regionalGroup: 'African', unMember: true, aliases: ['Republic of Burundi'] },
  { code: 'BEL', name: 'Belgium', regionalGroup: 'WEOG', unMember: true, aliases: ['Kingdom of Belgium'] },
  { code: 'BEN', name: 'Benin', regionalGroup: 'African', unMember: true, aliases: ['Republic of Benin'] },
  { code: 'BFA', name: 'Burkina Faso', regionalGroup: 'African', unMember: true, aliases: [] },
  { code: 'BGD', name: 'Bangladesh', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ["People's Republic of Bangladesh"] },
  { code: 'BGR', name: 'Bulgaria', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Bulgaria'] },
  { code: 'BHR', name: 'Bahrain', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Kingdom of Bahrain'] },
  {
    code: 'BHS', name: 'Bahamas', regionalGroup: 'GRULAC', unMember: true,
    aliases: ['The Bahamas', 'Bahamas, The', 'Commonwealth of the Bahamas'],
  },
  { code: 'BIH', name: 'Bosnia and Herzegovina', regionalGroup: 'Eastern European', unMember: true, aliases: ['Bosnia-Herzegovina'] },
  { code: 'BLR', name: 'Belarus', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Belarus'] },
  { code: 'BLZ', name: 'Belize', regionalGroup: 'GRULAC', unMember: true, aliases: [] },
  {
    code: 'BOL', name: 'Bolivia (Plurinational State of)', regionalGroup: 'GRULAC', unMember: true,
    aliases: ['Bolivia', 'Plurinational State of Bolivia', 'Republic of Bolivia'],
  },
  { code: 'BRA', name: 'Brazil', regionalGroup: 'GRULAC', unMember: true, aliases: ['Federative Republic of Brazil'] },
  { code: 'BRB', name: 'Barbados', regionalGroup: 'GRULAC', unMember: true, aliases: [] },
  { code: 'BRN', name: 'Brunei Darussalam', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Brunei'] },
  { code: 'BTN', name: 'Bhutan', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Kingdom of Bhutan'] },
  { code: 'BWA', name: 'Botswana', regionalGroup: 'African', unMember: true, aliases: ['Republic of Botswana'] },
  { code: 'CAF', name: 'Central African Republic', regionalGroup: 'African', unMember: true, aliases: ['Centeral African Republic'] },
  { code: 'CAN', name: 'Canada', regionalGroup: 'WEOG', unMember: true, aliases: [] },
  { code: 'CHE', name: 'Switzerland', regionalGroup: 'WEOG', unMember: true, aliases: ['Swiss Confederation'] },
  { code: 'CHL', name: 'Chile', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Chile'] },
  { code: 'CHN', name: 'China', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ["People's Republic of China"] },
  {
    code: 'CIV', name: "Côte d'Ivoire", regionalGroup: 'African', unMember: true,
    aliases: ['Ivory Coast', "Republic of Côte d'Ivoire"],
  },
  { code: 'CMR', name: 'Cameroon', regionalGroup: 'African', unMember: true, aliases: ['Republic of Cameroon'] },
  {
    code: 'COD', name: 'Democratic Republic of the Congo', regionalGroup: 'African', unMember: true,
    aliases: [
      'Democratic Republic of Congo', 'DR Congo', 'DRC', 'Congo-Kinshasa', 'Congo, Democratic Republic of the',
      'Congo, Dem. Rep.', 'Zaire',
    ],
  },
  {
    code: 'COG', name: 'Congo', regionalGroup: 'African', unMember: true,
    aliases: ['Republic of the Congo', 'Republic of Congo', 'Congo-Brazzaville', 'Congo, Republic of the', 'Congo, Rep.'],
  },
  { code: 'COL', name: 'Colombia', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Colombia'] },
  { code: 'COM', name: 'Comoros', regionalGroup: 'African', unMember: true, aliases: ['Union of the Comoros'] },
  {
    code: 'CPV', name: 'Cabo Verde', regionalGroup: 'African', unMember: true,
    aliases: ['Cape Verde', 'Republic of Cabo Verde', 'Republic of Cape Verde'],
  },
  { code: 'CRI', name: 'Costa Rica', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Costa Rica'] },
  { code: 'CUB', name: 'Cuba', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Cuba'] },
  { code: 'CYP', name: 'Cyprus', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Cyprus'] },
  { code: 'CZE', name: 'Czechia', regionalGroup: 'Eastern European', unMember: true, aliases: ['Czech Republic'] },
  { code: 'DEU', name: 'Germany', regionalGroup: 'WEOG', unMember: true, aliases: ['Federal Republic of Germany'] },
  { code: 'DJI', name: 'Djibouti', regionalGroup: 'African', unMember: true, aliases: ['Republic of Djibouti'] },
  { code: 'DMA', name: 'Dominica', regionalGroup: 'GRULAC', unMember: true, aliases: ['Commonwealth of Dominica'] },
  { code: 'DNK', name: 'Denmark', regionalGroup: 'WEOG', unMember: true, aliases: ['Kingdom of Denmark'] },
  { code: 'DOM', name: 'Dominican Republic', regionalGroup: 'GRULAC', unMember: true, aliases: [] },
  { code: 'DZA', name: 'Algeria', regionalGroup: 'African', unMember: true, aliases: ["People's Democratic Republic of Algeria"] },
  { code: 'ECU', name: 'Ecuador', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Ecuador'] },
  { code: 'EGY', name: 'Egypt', regionalGroup: 'African', unMember: true, aliases: ['Arab Republic of Egypt', 'Egypt, Arab Rep.'] },
  { code: 'ERI', name: 'Eritrea', regionalGroup: 'African', unMember: true, aliases: ['State of Eritrea'] },
  { code: 'ESP', name: 'Spain', regionalGroup: 'WEOG', unMember: true, aliases: ['Kingdom of Spain'] },
  { code: 'EST', name: 'Estonia', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Estonia'] },
  { code: 'ETH', name: 'Ethiopia', regionalGroup: 'African', unMember: true, aliases: ['Federal Democratic Republic of Ethiopia'] },
  { code: 'FIN', name: 'Finland', regionalGroup: 'WEOG', unMember: true, aliases: ['Republic of Finland'] },
  { code: 'FJI', name: 'Fiji', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Fiji'] },
  { code: 'FRA', name: 'France', regionalGroup: 'WEOG', unMember: true, aliases: ['French Republic'] },
  {
    code: 'FSM', name: 'Micronesia (Federated States of)', regionalGroup: 'Asia-Pacific', unMember: true,
    aliases: ['Micronesia', 'Federated States of Micronesia', 'Micronesia, Fed. Sts.'],
  },
  { code: 'GAB', name: 'Gabon', regionalGroup: 'African', unMember: true, aliases: ['Gabonese Republic'] },
  {
    code: 'GBR', name: 'United Kingdom of Great Britain and Northern Ireland', regionalGroup: 'WEOG', unMember: true,
    aliases: ['United Kingdom', 'UK', 'Great Britain', 'Britain'],
  },
  { code: 'GEO', name: 'Georgia', regionalGroup: 'Eastern European', unMember: true, aliases: [] },
  { code: 'GHA', name: 'Ghana', regionalGroup: 'African', unMember: true, aliases: ['Republic of Ghana'] },
  { code: 'GIN', name: 'Guinea', regionalGroup: 'African', unMember: true, aliases: ['Republic of Guinea'] },
  {
    code: 'GMB', name: 'Gambia', regionalGroup: 'African', unMember: true,
    aliases: ['The Gambia', 'Gambia, The', 'Republic of The Gambia', 'Gambia (Republic of The)'],
  },
  { code: 'GNB', name: 'Guinea-Bissau', regionalGroup: 'African', unMember: true, aliases: ['Republic of Guinea-Bissau'] },
  { code: 'GNQ', name: 'Equatorial Guinea', regionalGroup: 'African', unMember: true, aliases: ['Republic of Equatorial Guinea'] },
  { code: 'GRC', name: 'Greece', regionalGroup: 'WEOG', unMember: true, aliases: ['Hellenic Republic'] },
  { code: 'GRD', name: 'Grenada', regionalGroup: 'GRULAC', unMember: true, aliases: [] },
  { code: 'GTM', name: 'Guatemala', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Guatemala'] },
  { code: 'GUY', name: 'Guyana', regionalGroup: 'GRULAC', unMember: true, aliases: ['Co-operative Republic of Guyana'] },
  { code: 'HND', name: 'Honduras', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Honduras'] },
  { code: 'HRV', name: 'Croatia', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Croatia'] },
  { code: 'HTI', name: 'Haiti', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Haiti'] },
  { code: 'HUN', name: 'Hungary', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Hungary'] },
  { code: 'IDN', name: 'Indonesia', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Indonesia'] },
  { code: 'IND', name: 'India', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of India'] },
  { code: 'IRL', name: 'Ireland', regionalGroup: 'WEOG', unMember: true, aliases: ['Republic of Ireland'] },
  {
    code: 'IRN', name: 'Iran (Islamic Republic of)', regionalGroup: 'Asia-Pacific', unMember: true,
    aliases: ['Iran', 'Islamic Republic of Iran', 'Iran, Islamic Rep.'],
  },
  { code: 'IRQ', name: 'Iraq', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Iraq'] },
  { code: 'ISL', name: 'Iceland', regionalGroup: 'WEOG', unMember: true, aliases: [] },
  { code: 'ISR', name: 'Israel', regionalGroup: 'WEOG', unMember: true, aliases: ['State of Israel'] },
  { code: 'ITA', name: 'Italy', regionalGroup: 'WEOG', unMember: true, aliases: ['Italian Republic'] },
  { code: 'JAM', name: 'Jamaica', regionalGroup: 'GRULAC', unMember: true, aliases: [] },
  { code: 'JOR', name: 'Jordan', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Hashemite Kingdom of Jordan'] },
  { code: 'JPN', name: 'Japan', regionalGroup: 'Asia-Pacific', unMember: true, aliases: [] },
  { code: 'KAZ', name: 'Kazakhstan', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Kazakhstan'] },
  { code: 'KEN', name: 'Kenya', regionalGroup: 'African', unMember: true, aliases: ['Republic of Kenya'] },
  { code: 'KGZ', name: 'Kyrgyzstan', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Kyrgyz Republic', 'Kyrgysztan'] },
  { code: 'KHM', name: 'Cambodia', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Kingdom of Cambodia'] },
  { code: 'KIR', name: 'Kiribati', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Kiribati'] },
  {
    code: 'KNA', name: 'Saint Kitts and Nevis', regionalGroup: 'GRULAC', unMember: true,
    aliases: ['St. Kitts and Nevis', 'Saint Christopher and Nevis', 'Federation of Saint Kitts and Nevis'],
  },
  {
    code: 'KOR', name: 'Republic of Korea', regionalGroup: 'Asia-Pacific', unMember: true,
    aliases: ['South Korea', 'Korea, Republic of', 'Korea, Rep.', 'Korea (South)'],
  },
  { code: 'KWT', name: 'Kuwait', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['State of Kuwait'] },
  {
    code: 'LAO', name: "Lao People's Democratic Republic", regionalGroup: 'Asia-Pacific', unMember: true,
    aliases: ['Laos', 'Lao PDR'],
  },
  { code: 'LBN', name: 'Lebanon', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Lebanese Republic'] },
  { code: 'LBR', name: 'Liberia', regionalGroup: 'African', unMember: true, aliases: ['Republic of Liberia'] },
  { code: 'LBY', name: 'Libya', regionalGroup: 'African', unMember: true, aliases: ['State of Libya', 'Libyan Arab Jamahiriya'] },
  { code: 'LCA', name: 'Saint Lucia', regionalGroup: 'GRULAC', unMember: true, aliases: ['St. Lucia'] },
  { code: 'LIE', name: 'Liechtenstein', regionalGroup: 'WEOG', unMember: true, aliases: ['Principality of Liechtenstein'] },
  { code: 'LKA', name: 'Sri Lanka', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Democratic Socialist Republic of Sri Lanka'] },
  { code: 'LSO', name: 'Lesotho', regionalGroup: 'African', unMember: true, aliases: ['Kingdom of Lesotho'] },
  { code: 'LTU', name: 'Lithuania', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Lithuania'] },
  { code: 'LUX', name: 'Luxembourg', regionalGroup: 'WEOG', unMember: true, aliases: ['Grand Duchy of Luxembourg'] },
  { code: 'LVA', name: 'Latvia', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Latvia'] },
  { code: 'MAR', name: 'Morocco', regionalGroup: 'African', unMember: true, aliases: ['Kingdom of Morocco'] },
  { code: 'MCO', name: 'Monaco', regionalGroup: 'WEOG', unMember: true, aliases: ['Principality of Monaco'] },
  {
    code: 'MDA', name: 'Republic of Moldova', regionalGroup: 'Eastern European', unMember: true,
    aliases: ['Moldova', 'Moldova, Republic of'],
  },
  { code: 'MDG', name: 'Madagascar', regionalGroup: 'African', unMember: true, aliases: ['Republic of Madagascar'] },
  { code: 'MDV', name: 'Maldives', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Maldives'] },
  { code: 'MEX', name: 'Mexico', regionalGroup: 'GRULAC', unMember: true, aliases: ['United Mexican States'] },
  {
    code: 'MHL', name: 'Marshall Islands', regionalGroup: 'Asia-Pacific', unMember: true,
    aliases: ['Republic of the Marshall Islands'],
  },
  {
    code: 'MKD', name: 'North Macedonia', regionalGroup: 'Eastern European', unMember: true,
    aliases: [
      'Republic of North Macedonia', 'The former Yugoslav Republic of Macedonia', 'Former Yugoslav Republic of Macedonia',
      'Macedonia FYR',
      'Macedonia, the former Yugoslav Republic of', 'Macedonia', 'Republic of Macedonia',
    ],
  },
  { code: 'MLI', name: 'Mali', regionalGroup: 'African', unMember: true, aliases: ['Republic of Mali'] },
  { code: 'MLT', name: 'Malta', regionalGroup: 'WEOG', unMember: true, aliases: ['Republic of Malta'] },
  { code: 'MMR', name: 'Myanmar', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Burma', 'Republic of the Union of Myanmar'] },
  { code: 'MNE', name: 'Montenegro', regionalGroup: 'Eastern European', unMember: true, aliases: [] },
  { code: 'MNG', name: 'Mongolia', regionalGroup: 'Asia-Pacific', unMember: true, aliases: [] },
  { code: 'MOZ', name: 'Mozambique', regionalGroup: 'African', unMember: true, aliases: ['Republic of Mozambique'] },
  { code: 'MRT', name: 'Mauritania', regionalGroup: 'African', unMember: true, aliases: ['Islamic Republic of Mauritania'] },
  { code: 'MUS', name: 'Mauritius', regionalGroup: 'African', unMember: true, aliases: ['Republic of Mauritius'] },
  { code: 'MWI', name: 'Malawi', regionalGroup: 'African', unMember: true, aliases: ['Republic of Malawi'] },
  { code: 'MYS', name: 'Malaysia', regionalGroup: 'Asia-Pacific', unMember: true, aliases: [] },
  { code: 'NAM', name: 'Namibia', regionalGroup: 'African', unMember: true, aliases: ['Republic of Namibia'] },
  { code: 'NER', name: 'Niger', regionalGroup: 'African', unMember: true, aliases: ['Republic of the Niger', 'The Niger'] },
  { code: 'NGA', name: 'Nigeria', regionalGroup: 'African', unMember: true, aliases: ['Federal Republic of Nigeria'] },
  { code: 'NIC', name: 'Nicaragua', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Nicaragua'] },
  {
    code: 'NLD', name: 'Netherlands (Kingdom of the)', regionalGroup: 'WEOG', unMember: true,
    aliases: ['Netherlands', 'Kingdom of the Netherlands'],
  },
  { code: 'NOR', name: 'Norway', regionalGroup: 'WEOG', unMember: true, aliases: ['Kingdom of Norway'] },
  { code: 'NPL', name: 'Nepal', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Federal Democratic Republic of Nepal'] },
  { code: 'NRU', name: 'Nauru', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Nauru'] },
  { code: 'NZL', name: 'New Zealand', regionalGroup: 'WEOG', unMember: true, aliases: [] },
  { code: 'OMN', name: 'Oman', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Sultanate of Oman'] },
  { code: 'PAK', name: 'Pakistan', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Islamic Republic of Pakistan'] },
  { code: 'PAN', name: 'Panama', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Panama'] },
  { code: 'PER', name: 'Peru', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Peru'] },
  { code: 'PHL', name: 'Philippines', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of the Philippines'] },
  { code: 'PLW', name: 'Palau', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Palau'] },
  {
    code: 'PNG', name: 'Papua New Guinea', regionalGroup: 'Asia-Pacific', unMember: true,
    aliases: ['Independent State of Papua New Guinea'],
  },
  { code: 'POL', name: 'Poland', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Poland'] },
  {
    code: 'PRK', name: "Democratic People's Republic of Korea", regionalGroup: 'Asia-Pacific', unMember: true,
    aliases: ['North Korea', 'DPRK', "Korea, Democratic People's Republic of", "Korea, Dem. People's Rep.", 'Korea (North)', 'DPR Korea'],
  },
  { code: 'PRT', name: 'Portugal', regionalGroup: 'WEOG', unMember: true, aliases: ['Portuguese Republic'] },
  { code: 'PRY', name: 'Paraguay', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Paraguay'] },
  {
    code: 'PSE', name: 'State of Palestine', regionalGroup: 'Asia-Pacific', unMember: false,
    aliases: ['Palestine', 'Palestine, State of'],
  },
  { code: 'QAT', name: 'Qatar', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['State of Qatar'] },
  { code: 'ROU', name: 'Romania', regionalGroup: 'Eastern European', unMember: true, aliases: [] },
  { code: 'RUS', name: 'Russian Federation', regionalGroup: 'Eastern European', unMember: true, aliases: ['Russia'] },
  { code: 'RWA', name: 'Rwanda', regionalGroup: 'African', unMember: true, aliases: ['Republic of Rwanda'] },
  { code: 'SAU', name: 'Saudi Arabia', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Kingdom of Saudi Arabia'] },
  { code: 'SDN', name: 'Sudan', regionalGroup: 'African', unMember: true, aliases: ['Republic of the Sudan', 'The Sudan'] },
  { code: 'SEN', name: 'Senegal', regionalGroup: 'African', unMember: true, aliases: ['Republic of Senegal'] },
  { code: 'SGP', name: 'Singapore', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Singapore'] },
  { code: 'SLB', name: 'Solomon Islands', regionalGroup: 'Asia-Pacific', unMember: true, aliases: [] },
  { code: 'SLE', name: 'Sierra Leone', regionalGroup: 'African', unMember: true, aliases: ['Republic of Sierra Leone'] },
  { code: 'SLV', name: 'El Salvador', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of El Salvador'] },
  { code: 'SMR', name: 'San Marino', regionalGroup: 'WEOG', unMember: true, aliases: ['Republic of San Marino'] },
  { code: 'SOM', name: 'Somalia', regionalGroup: 'African', unMember: true, aliases: ['Federal Republic of Somalia'] },
  { code: 'SRB', name: 'Serbia', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Serbia'] },
  { code: 'SSD', name: 'South Sudan', regionalGroup: 'African', unMember: true, aliases: ['Republic of South Sudan'] },
  {
    code: 'STP', name: 'Sao Tome and Principe', regionalGroup: 'African', unMember: true,
    aliases: ['Democratic Republic of Sao Tome and Principe'],
  },
  { code: 'SUR', name: 'Suriname', regionalGroup: 'GRULAC', unMember: true, aliases: ['Republic of Suriname'] },
  { code: 'SVK', name: 'Slovakia', regionalGroup: 'Eastern European', unMember: true, aliases: ['Slovak Republic'] },
  { code: 'SVN', name: 'Slovenia', regionalGroup: 'Eastern European', unMember: true, aliases: ['Republic of Slovenia'] },
  { code: 'SWE', name: 'Sweden', regionalGroup: 'WEOG', unMember: true, aliases: ['Kingdom of Sweden'] },
  {
    code: 'SWZ', name: 'Eswatini', regionalGroup: 'African', unMember: true,
    aliases: ['Swaziland', 'Kingdom of Eswatini', 'Kingdom of Swaziland'],
  },
  { code: 'SYC', name: 'Seychelles', regionalGroup: 'African', unMember: true, aliases: ['Republic of Seychelles'] },
  { code: 'SYR', name: 'Syrian Arab Republic', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Syria'] },
  { code: 'TCD', name: 'Chad', regionalGroup: 'African', unMember: true, aliases: ['Republic of Chad'] },
  { code: 'TGO', name: 'Togo', regionalGroup: 'African', unMember: true, aliases: ['Togolese Republic'] },
  { code: 'THA', name: 'Thailand', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Kingdom of Thailand'] },
  { code: 'TJK', name: 'Tajikistan', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Tajikistan'] },
  { code: 'TKM', name: 'Turkmenistan', regionalGroup: 'Asia-Pacific', unMember: true, aliases: [] },
  {
    code: 'TLS', name: 'Timor-Leste', regionalGroup: 'Asia-Pacific', unMember: true,
    aliases: ['East Timor', 'Democratic Republic of Timor-Leste'],
  },
  { code: 'TON', name: 'Tonga', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Kingdom of Tonga'] },
  {
    code: 'TTO', name: 'Trinidad and Tobago', regionalGroup: 'GRULAC', unMember: true,
    aliases: ['Republic of Trinidad and Tobago'],
  },
  { code: 'TUN', name: 'Tunisia', regionalGroup: 'African', unMember: true, aliases: ['Republic of Tunisia'] },
  {
    code: 'TUR', name: 'Türkiye', regionalGroup: 'WEOG', unMember: true,
    aliases: ['Turkey', 'Republic of Türkiye', 'Republic of Turkey'],
  },
  { code: 'TUV', name: 'Tuvalu', regionalGroup: 'Asia-Pacific', unMember: true, aliases: [] },
  {
    code: 'TZA', name: 'United Republic of Tanzania', regionalGroup: 'African', unMember: true,
    aliases: ['Tanzania', 'Tanzania, United Republic of'],
  },
  { code: 'UGA', name: 'Uganda', regionalGroup: 'African', unMember: true, aliases: ['Republic of Uganda'] },
  { code: 'UKR', name: 'Ukraine', regionalGroup: 'Eastern European', unMember: true, aliases: [] },
  {
    code: 'URY', name: 'Uruguay', regionalGroup: 'GRULAC', unMember: true,
    aliases: ['Eastern Republic of Uruguay', 'Oriental Republic of Uruguay'],
  },
  {
    code: 'USA', name: 'United States of America', regionalGroup: 'WEOG', unMember: true,
    regionalGroupNote: USA_GROUP_NOTE,
    aliases: ['United States', 'USA', 'US'],
  },
  { code: 'UZB', name: 'Uzbekistan', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Uzbekistan'] },
  {
    code: 'VAT', name: 'Holy See', regionalGroup: null, unMember: false,
    aliases: ['Holy See (Vatican)', 'Holy See (Vatican City State)', 'Vatican', 'Vatican City', 'Vatican City State'],
  },
  {
    code: 'VCT', name: 'Saint Vincent and the Grenadines', regionalGroup: 'GRULAC', unMember: true,
    aliases: ['St. Vincent and the Grenadines'],
  },
  {
    code: 'VEN', name: 'Venezuela (Bolivarian Republic of)', regionalGroup: 'GRULAC', unMember: true,
    aliases: ['Venezuela', 'Bolivarian Republic of Venezuela', 'Venezuela, RB'],
  },
  { code: 'VNM', name: 'Viet Nam', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Socialist Republic of Viet Nam'] },
  { code: 'VUT', name: 'Vanuatu', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Vanuatu'] },
  {
    code: 'WSM', name: 'Samoa', regionalGroup: 'Asia-Pacific', unMember: true,
    aliases: ['Independent State of Samoa', 'Western Samoa'],
  },
  { code: 'YEM', name: 'Yemen', regionalGroup: 'Asia-Pacific', unMember: true, aliases: ['Republic of Yemen', 'Yemen, Rep.'] },
  { code: 'ZAF', name: 'South Africa', regionalGroup: 'African', unMember: true, aliases: ['Republic of South Africa'] },
  { code: 'ZMB', name: 'Zambia', regionalGroup: 'African', unMember: true, aliases: ['Republic of Zambia'] },
  { code: 'ZWE', name: 'Zimbabwe', regionalGroup: 'African', unMember: true, aliases: ['Republic of Zimbabwe'] },
];
