-- Version 10: public labels of clusters (9 is the tracing branch's bulk day partitions).
--
-- A cluster's name is what cases carry in "cluster", written by whoever
-- records them, and may name a person ("Khu nhà trọ bà Xuân"). The public
-- reads the label an editor approved here, or a neutral one (kind and ward)
-- until then. Approving one appends an audit entry in the same transaction
-- and bumps data_version, so that every server computes the bulletin again.

CREATE TABLE cluster_labels (
  cluster text PRIMARY KEY CHECK (length(btrim(cluster)) > 0),
  label text NOT NULL CHECK (char_length(btrim(label)) BETWEEN 3 AND 120),
  approved_by text NOT NULL,
  approved timestamptz NOT NULL DEFAULT now()
);
