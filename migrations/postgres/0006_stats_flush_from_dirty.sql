-- stats_flush() reads the dirty recommendations' members from the dirty list outward, whatever the planner
-- believes of stats_dirty (as SQLite's flush does since migrations/0017, with CROSS JOIN). stats_dirty is empty
-- outside a write, and a database whose stats_dirty was never analysed (a new one, before autovacuum's first
-- pass, or a cluster without autovacuum) has it estimated at ten pages' worth of rows (~1,400): 0005's
-- statements then hashed the dirty list and scanned every member (and every count) to probe it, a flush of 4
-- recommendations 240-290 ms at UPR Info's ~194,000 members instead of a few ms. The dirty ids are read once
-- into an array: a statement planned for this flush sees its length, one planned once for the session (a
-- generic plan) assumes ten, and either way the members are found by their index. Same statements otherwise:
-- the same counts.
CREATE OR REPLACE FUNCTION stats_flush() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  dirty text[] := ARRAY(SELECT recommendation_id FROM stats_dirty);
BEGIN
  IF cardinality(dirty) = 0 THEN
    RETURN;
  END IF;
  -- Out: the contributions counted so far.
  UPDATE stats_review_counts c SET n = c.n - d.gone FROM (SELECT dim, review_id, value, position, implementation, count(*) AS gone FROM stats_members
    WHERE recommendation_id = ANY (dirty) GROUP BY dim, review_id, value, position, implementation) d
  WHERE c.dim = d.dim AND c.review_id = d.review_id AND c.value = d.value AND c.position = d.position AND c.implementation = d.implementation;
  DELETE FROM stats_review_counts WHERE n = 0;
  UPDATE stats_cycle_counts c SET n = c.n - d.gone FROM (SELECT dim, cycle, value, position, implementation, count(*) AS gone FROM stats_members
    WHERE recommendation_id = ANY (dirty) GROUP BY dim, cycle, value, position, implementation) d
  WHERE c.dim = d.dim AND c.cycle = d.cycle AND c.value = d.value AND c.position = d.position AND c.implementation = d.implementation;
  DELETE FROM stats_cycle_counts WHERE n = 0;
  UPDATE stats_value_counts c SET n = c.n - d.gone FROM (SELECT dim, value, count(*) AS gone FROM stats_members
    WHERE recommendation_id = ANY (dirty) GROUP BY dim, value) d
  WHERE c.dim = d.dim AND c.value = d.value;
  DELETE FROM stats_value_counts WHERE n = 0;
  DELETE FROM stats_members WHERE recommendation_id = ANY (dirty);
  -- In: each dirty recommendation that still exists, as it is now; a record without a value counts under '""'.
  INSERT INTO stats_members (recommendation_id, dim, value, review_id, cycle, position, implementation)
    SELECT r.id, '', '""', r.review_id, v.cycle, coalesce(r.position, 'unknown'),
      coalesce((SELECT a.status FROM assessments a WHERE a.recommendation_id = r.id
        ORDER BY a.assessed_on DESC, a.created_at DESC, a.id DESC LIMIT 1), 'unknown')
    FROM unnest(dirty) q(recommendation_id) JOIN recommendations r ON r.id = q.recommendation_id JOIN reviews v ON v.id = r.review_id;
  INSERT INTO stats_members (recommendation_id, dim, value, review_id, cycle, position, implementation)
    SELECT c.recommendation_id, 'recommendingState', coalesce(to_jsonb(l.state_code), '""'), c.review_id, c.cycle, c.position, c.implementation
    FROM unnest(dirty) q(recommendation_id) JOIN stats_members c ON c.recommendation_id = q.recommendation_id AND c.dim = '' AND c.value = '""'
    LEFT JOIN recommendation_states l ON l.recommendation_id = c.recommendation_id;
  INSERT INTO stats_members (recommendation_id, dim, value, review_id, cycle, position, implementation)
    SELECT DISTINCT c.recommendation_id, 'regionalGroup', coalesce(to_jsonb(s.regional_group), '""'), c.review_id, c.cycle, c.position, c.implementation
    FROM unnest(dirty) q(recommendation_id) JOIN stats_members c ON c.recommendation_id = q.recommendation_id AND c.dim = '' AND c.value = '""'
    LEFT JOIN recommendation_states l ON l.recommendation_id = c.recommendation_id
    LEFT JOIN states s ON s.code = l.state_code;
  INSERT INTO stats_members (recommendation_id, dim, value, review_id, cycle, position, implementation)
    SELECT c.recommendation_id, 'theme', coalesce(to_jsonb(l.theme_id), '""'), c.review_id, c.cycle, c.position, c.implementation
    FROM unnest(dirty) q(recommendation_id) JOIN stats_members c ON c.recommendation_id = q.recommendation_id AND c.dim = '' AND c.value = '""'
    LEFT JOIN recommendation_themes l ON l.recommendation_id = c.recommendation_id;
  INSERT INTO stats_members (recommendation_id, dim, value, review_id, cycle, position, implementation)
    SELECT c.recommendation_id, 'sdg', coalesce(to_jsonb(l.goal), '""'), c.review_id, c.cycle, c.position, c.implementation
    FROM unnest(dirty) q(recommendation_id) JOIN stats_members c ON c.recommendation_id = q.recommendation_id AND c.dim = '' AND c.value = '""'
    LEFT JOIN recommendation_sdgs l ON l.recommendation_id = c.recommendation_id;
  INSERT INTO stats_review_counts (dim, review_id, value, position, implementation, n) SELECT dim, review_id, value, position, implementation, count(*) FROM stats_members
    WHERE recommendation_id = ANY (dirty) GROUP BY dim, review_id, value, position, implementation
    ON CONFLICT (dim, review_id, value, position, implementation) DO UPDATE SET n = stats_review_counts.n + excluded.n;
  INSERT INTO stats_cycle_counts (dim, cycle, value, position, implementation, n) SELECT dim, cycle, value, position, implementation, count(*) FROM stats_members
    WHERE recommendation_id = ANY (dirty) GROUP BY dim, cycle, value, position, implementation
    ON CONFLICT (dim, cycle, value, position, implementation) DO UPDATE SET n = stats_cycle_counts.n + excluded.n;
  INSERT INTO stats_value_counts (dim, value, n) SELECT dim, value, count(*) FROM stats_members
    WHERE recommendation_id = ANY (dirty) GROUP BY dim, value
    ON CONFLICT (dim, value) DO UPDATE SET n = stats_value_counts.n + excluded.n;
  DELETE FROM stats_dirty;
END $$;
