-- Recommendation stats kept on write, as SQLite keeps them (migrations/0004_stats_aggregates.sql; read by
-- src/stats/pg-aggregates.ts). Statement-level triggers on every table a count depends on mark the
-- recommendations a statement touched in stats_dirty (from its transition tables, once per statement);
-- stats_flush() then moves, in one set-based pass, their old contribution (stats_members) out of the counts
-- and their new one in. Every write transaction calls it before it commits (src/db/pg/write-transaction.ts;
-- pgFlushStats in src/stats/pg-aggregates.ts for a transaction of its own); readers count the base tables
-- while stats_dirty is not empty. Values are jsonb (a text or an SDG number, as SQLite stores them), '""'
-- for none.
CREATE FUNCTION stats_mark_recommendations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A row counts as changed when a column the counts read (id, review_id, position) changed.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO stats_dirty (recommendation_id) SELECT DISTINCT id FROM new_rows ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO stats_dirty (recommendation_id) SELECT DISTINCT id FROM old_rows ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO stats_dirty (recommendation_id)
      SELECT DISTINCT id FROM ((SELECT id, review_id, position FROM new_rows EXCEPT SELECT id, review_id, position FROM old_rows)
        UNION ALL (SELECT id, review_id, position FROM old_rows EXCEPT SELECT id, review_id, position FROM new_rows)) changed
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER recommendations_stats_insert AFTER INSERT ON recommendations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_recommendations();
--> statement-breakpoint
CREATE TRIGGER recommendations_stats_update AFTER UPDATE ON recommendations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_recommendations();
--> statement-breakpoint
CREATE TRIGGER recommendations_stats_delete AFTER DELETE ON recommendations REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_recommendations();
--> statement-breakpoint
CREATE FUNCTION stats_mark_recommendation_states() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A row counts as changed when a column the counts read (recommendation_id, state_code) changed.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO stats_dirty (recommendation_id) SELECT DISTINCT recommendation_id FROM new_rows ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO stats_dirty (recommendation_id) SELECT DISTINCT recommendation_id FROM old_rows ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO stats_dirty (recommendation_id)
      SELECT DISTINCT recommendation_id FROM ((SELECT recommendation_id, state_code FROM new_rows EXCEPT SELECT recommendation_id, state_code FROM old_rows)
        UNION ALL (SELECT recommendation_id, state_code FROM old_rows EXCEPT SELECT recommendation_id, state_code FROM new_rows)) changed
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER recommendation_states_stats_insert AFTER INSERT ON recommendation_states REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_recommendation_states();
--> statement-breakpoint
CREATE TRIGGER recommendation_states_stats_update AFTER UPDATE ON recommendation_states REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_recommendation_states();
--> statement-breakpoint
CREATE TRIGGER recommendation_states_stats_delete AFTER DELETE ON recommendation_states REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_recommendation_states();
--> statement-breakpoint
CREATE FUNCTION stats_mark_recommendation_themes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A row counts as changed when a column the counts read (recommendation_id, theme_id) changed.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO stats_dirty (recommendation_id) SELECT DISTINCT recommendation_id FROM new_rows ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO stats_dirty (recommendation_id) SELECT DISTINCT recommendation_id FROM old_rows ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO stats_dirty (recommendation_id)
      SELECT DISTINCT recommendation_id FROM ((SELECT recommendation_id, theme_id FROM new_rows EXCEPT SELECT recommendation_id, theme_id FROM old_rows)
        UNION ALL (SELECT recommendation_id, theme_id FROM old_rows EXCEPT SELECT recommendation_id, theme_id FROM new_rows)) changed
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER recommendation_themes_stats_insert AFTER INSERT ON recommendation_themes REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_recommendation_themes();
--> statement-breakpoint
CREATE TRIGGER recommendation_themes_stats_update AFTER UPDATE ON recommendation_themes REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_recommendation_themes();
--> statement-breakpoint
CREATE TRIGGER recommendation_themes_stats_delete AFTER DELETE ON recommendation_themes REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_recommendation_themes();
--> statement-breakpoint
CREATE FUNCTION stats_mark_recommendation_sdgs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A row counts as changed when a column the counts read (recommendation_id, goal) changed.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO stats_dirty (recommendation_id) SELECT DISTINCT recommendation_id FROM new_rows ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO stats_dirty (recommendation_id) SELECT DISTINCT recommendation_id FROM old_rows ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO stats_dirty (recommendation_id)
      SELECT DISTINCT recommendation_id FROM ((SELECT recommendation_id, goal FROM new_rows EXCEPT SELECT recommendation_id, goal FROM old_rows)
        UNION ALL (SELECT recommendation_id, goal FROM old_rows EXCEPT SELECT recommendation_id, goal FROM new_rows)) changed
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER recommendation_sdgs_stats_insert AFTER INSERT ON recommendation_sdgs REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_recommendation_sdgs();
--> statement-breakpoint
CREATE TRIGGER recommendation_sdgs_stats_update AFTER UPDATE ON recommendation_sdgs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_recommendation_sdgs();
--> statement-breakpoint
CREATE TRIGGER recommendation_sdgs_stats_delete AFTER DELETE ON recommendation_sdgs REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_recommendation_sdgs();
--> statement-breakpoint
CREATE FUNCTION stats_mark_assessments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A row counts as changed when a column the counts read (recommendation_id, status, assessed_on, created_at, id) changed.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO stats_dirty (recommendation_id) SELECT DISTINCT recommendation_id FROM new_rows ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO stats_dirty (recommendation_id) SELECT DISTINCT recommendation_id FROM old_rows ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO stats_dirty (recommendation_id)
      SELECT DISTINCT recommendation_id FROM ((SELECT recommendation_id, status, assessed_on, created_at, id FROM new_rows EXCEPT SELECT recommendation_id, status, assessed_on, created_at, id FROM old_rows)
        UNION ALL (SELECT recommendation_id, status, assessed_on, created_at, id FROM old_rows EXCEPT SELECT recommendation_id, status, assessed_on, created_at, id FROM new_rows)) changed
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER assessments_stats_insert AFTER INSERT ON assessments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_assessments();
--> statement-breakpoint
CREATE TRIGGER assessments_stats_update AFTER UPDATE ON assessments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_assessments();
--> statement-breakpoint
CREATE TRIGGER assessments_stats_delete AFTER DELETE ON assessments REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_assessments();
--> statement-breakpoint
CREATE FUNCTION stats_mark_states() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A state's regional group: every recommendation it made.
  INSERT INTO stats_dirty (recommendation_id)
    SELECT DISTINCT l.recommendation_id FROM new_rows n JOIN old_rows o ON o.code = n.code
      JOIN recommendation_states l ON l.state_code = n.code
    WHERE o.regional_group IS DISTINCT FROM n.regional_group
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER states_stats_update AFTER UPDATE ON states REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_states();
--> statement-breakpoint
CREATE FUNCTION stats_mark_reviews() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A review's cycle: every recommendation made in it.
  INSERT INTO stats_dirty (recommendation_id)
    SELECT r.id FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN recommendations r ON r.review_id = n.id
    WHERE o.cycle IS DISTINCT FROM n.cycle
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER reviews_stats_update AFTER UPDATE ON reviews REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_reviews();
--> statement-breakpoint
CREATE FUNCTION stats_flush() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM stats_dirty) THEN
    RETURN;
  END IF;
  -- Out: the contributions counted so far.
  UPDATE stats_review_counts c SET n = c.n - d.gone FROM (SELECT dim, review_id, value, position, implementation, count(*) AS gone FROM stats_members
    WHERE recommendation_id IN (SELECT recommendation_id FROM stats_dirty) GROUP BY dim, review_id, value, position, implementation) d
  WHERE c.dim = d.dim AND c.review_id = d.review_id AND c.value = d.value AND c.position = d.position AND c.implementation = d.implementation;
  DELETE FROM stats_review_counts WHERE n = 0;
  UPDATE stats_cycle_counts c SET n = c.n - d.gone FROM (SELECT dim, cycle, value, position, implementation, count(*) AS gone FROM stats_members
    WHERE recommendation_id IN (SELECT recommendation_id FROM stats_dirty) GROUP BY dim, cycle, value, position, implementation) d
  WHERE c.dim = d.dim AND c.cycle = d.cycle AND c.value = d.value AND c.position = d.position AND c.implementation = d.implementation;
  DELETE FROM stats_cycle_counts WHERE n = 0;
  UPDATE stats_value_counts c SET n = c.n - d.gone FROM (SELECT dim, value, count(*) AS gone FROM stats_members
    WHERE recommendation_id IN (SELECT recommendation_id FROM stats_dirty) GROUP BY dim, value) d
  WHERE c.dim = d.dim AND c.value = d.value;
  DELETE FROM stats_value_counts WHERE n = 0;
  DELETE FROM stats_members WHERE recommendation_id IN (SELECT recommendation_id FROM stats_dirty);
  -- In: each dirty recommendation that still exists, as it is now; a record without a value counts under '""'.
  INSERT INTO stats_members (recommendation_id, dim, value, review_id, cycle, position, implementation)
    SELECT r.id, '', '""', r.review_id, v.cycle, coalesce(r.position, 'unknown'),
      coalesce((SELECT a.status FROM assessments a WHERE a.recommendation_id = r.id
        ORDER BY a.assessed_on DESC, a.created_at DESC, a.id DESC LIMIT 1), 'unknown')
    FROM stats_dirty q JOIN recommendations r ON r.id = q.recommendation_id JOIN reviews v ON v.id = r.review_id;
  INSERT INTO stats_members (recommendation_id, dim, value, review_id, cycle, position, implementation)
    SELECT c.recommendation_id, 'recommendingState', coalesce(to_jsonb(l.state_code), '""'), c.review_id, c.cycle, c.position, c.implementation
    FROM stats_dirty q JOIN stats_members c ON c.recommendation_id = q.recommendation_id AND c.dim = '' AND c.value = '""'
    LEFT JOIN recommendation_states l ON l.recommendation_id = c.recommendation_id;
  INSERT INTO stats_members (recommendation_id, dim, value, review_id, cycle, position, implementation)
    SELECT DISTINCT c.recommendation_id, 'regionalGroup', coalesce(to_jsonb(s.regional_group), '""'), c.review_id, c.cycle, c.position, c.implementation
    FROM stats_dirty q JOIN stats_members c ON c.recommendation_id = q.recommendation_id AND c.dim = '' AND c.value = '""'
    LEFT JOIN recommendation_states l ON l.recommendation_id = c.recommendation_id
    LEFT JOIN states s ON s.code = l.state_code;
  INSERT INTO stats_members (recommendation_id, dim, value, review_id, cycle, position, implementation)
    SELECT c.recommendation_id, 'theme', coalesce(to_jsonb(l.theme_id), '""'), c.review_id, c.cycle, c.position, c.implementation
    FROM stats_dirty q JOIN stats_members c ON c.recommendation_id = q.recommendation_id AND c.dim = '' AND c.value = '""'
    LEFT JOIN recommendation_themes l ON l.recommendation_id = c.recommendation_id;
  INSERT INTO stats_members (recommendation_id, dim, value, review_id, cycle, position, implementation)
    SELECT c.recommendation_id, 'sdg', coalesce(to_jsonb(l.goal), '""'), c.review_id, c.cycle, c.position, c.implementation
    FROM stats_dirty q JOIN stats_members c ON c.recommendation_id = q.recommendation_id AND c.dim = '' AND c.value = '""'
    LEFT JOIN recommendation_sdgs l ON l.recommendation_id = c.recommendation_id;
  INSERT INTO stats_review_counts (dim, review_id, value, position, implementation, n) SELECT dim, review_id, value, position, implementation, count(*) FROM stats_members
    WHERE recommendation_id IN (SELECT recommendation_id FROM stats_dirty) GROUP BY dim, review_id, value, position, implementation
    ON CONFLICT (dim, review_id, value, position, implementation) DO UPDATE SET n = stats_review_counts.n + excluded.n;
  INSERT INTO stats_cycle_counts (dim, cycle, value, position, implementation, n) SELECT dim, cycle, value, position, implementation, count(*) FROM stats_members
    WHERE recommendation_id IN (SELECT recommendation_id FROM stats_dirty) GROUP BY dim, cycle, value, position, implementation
    ON CONFLICT (dim, cycle, value, position, implementation) DO UPDATE SET n = stats_cycle_counts.n + excluded.n;
  INSERT INTO stats_value_counts (dim, value, n) SELECT dim, value, count(*) FROM stats_members
    WHERE recommendation_id IN (SELECT recommendation_id FROM stats_dirty) GROUP BY dim, value
    ON CONFLICT (dim, value) DO UPDATE SET n = stats_value_counts.n + excluded.n;
  DELETE FROM stats_dirty;
END $$;
