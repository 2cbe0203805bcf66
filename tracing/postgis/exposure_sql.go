package postgis

// The SQL of ExposureReference: one statement per rule of DESIGN-13
// "Semantics", each run for all the sources of one BFS level at once.
// A run first makes the temporary table ref_alias (sqlRefAliases): each
// alias key k (a worker_periods.alt_person_key) with canon(k), the
// smallest person_key of the periods whose alias it is. A key's person is
// then coalesce(ref_alias.person, key) (a LEFT JOIN), and rows of the
// source itself are dropped. Every statement starts from the same two
// CTEs:
//
//   - src: the sources, from three arrays ($1 canonical person keys, $2
//     window starts, $3 window ends);
//   - keys: each source with every key of its group: itself and each
//     alias whose canonical person it is.
//
// Statements return one row per reason (venue, ride) or per group
// (residence, line, proximity), with its evidence; the tiers of constant
// rules and the BFS are the Go side's (exposure_reference.go).
//
// Times are bound as timestamptz, durations as intervals. The scans use
// the stores' indexes: visits by (person_key, start_at) for the source and
// (venue_id, start_at) for the others, bounded by tracing.MaxStay ($8 of
// the venue rule); rides by person and by primary key; the source's
// periods by person. The others' periods are hash-joined on the shared
// house, address or line (worker_periods has no index on them). Traces
// have no index on time (their partitions are read whole, see 0008): the
// proximity rule reads the window's partitions once and hash-joins them
// on time bins of TraceSkew.

const (
	// sqlRefSettings: no JIT (the statements' plans look expensive
	// enough to be compiled, which costs a second each and saves nothing
	// on the index-driven scans of a run), and memory enough for the
	// groups of a level with many sources to sort in memory.
	sqlRefSettings = `SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`
	sqlRefAliases  = `CREATE TEMP TABLE ref_alias ON COMMIT DROP AS
		SELECT DISTINCT ON (alt_person_key) alt_person_key AS k, person_key AS person
		FROM tracing.worker_periods WHERE alt_person_key IS NOT NULL
		ORDER BY alt_person_key, person_key`
	sqlRefAliasIndex   = `CREATE UNIQUE INDEX ON ref_alias (k) INCLUDE (person)`
	sqlRefAliasPersons = `CREATE INDEX ON ref_alias (person)`
	sqlRefAliasStats   = `ANALYZE ref_alias`

	sqlRefSources = `WITH src AS (
		SELECT * FROM unnest($1::bytea[], $2::timestamptz[], $3::timestamptz[]) AS s(person, wfrom, wto)),
	keys AS (
		SELECT s.person, s.wfrom, s.wto, s.person AS k FROM src s
		UNION
		SELECT s.person, s.wfrom, s.wto, a.k FROM src s JOIN ref_alias a ON a.person = s.person)`

	// sqlRefDays adds the Vietnam days d of each source whose
	// DayInterval, [d − 7h, d + 17h), meets its window.
	sqlRefDays = `,
	days AS (
		SELECT s.person, s.wfrom, s.wto, d::date AS day
		FROM src s, generate_series(date_trunc('day', s.wfrom AT TIME ZONE 'UTC') - interval '1 day',
			s.wto AT TIME ZONE 'UTC' + interval '1 day', interval '1 day') AS d
		WHERE (d AT TIME ZONE 'UTC') - interval '7 hours' < s.wto
		  AND (d AT TIME ZONE 'UTC') + interval '17 hours' > s.wfrom)`

	// sqlRefVenue: $4 aerosol tail, $5 min overlap, $6 no short overlap,
	// $7 large categories, $8 MaxStay. A is the source's visit, P = A ∩
	// W, E = P with the tail, O = E ∩ B. The bounds on the visits' starts
	// only narrow the index scans: A ends at most MaxStay after it
	// starts, and so does B.
	sqlRefVenue = sqlRefSources + `
	SELECT k.person, cb.person, a.venue_id, coalesce(v.category, ''), a.id, b.id, o.ostart, o.oend,
		o.oend - o.ostart >= $5::interval AND NOT coalesce(v.category = ANY($7::text[]), false) AS close
	FROM keys k
	JOIN tracing.visits a ON a.person_key = k.k AND a.start_at < k.wto AND a.start_at >= k.wfrom - $8::interval
	CROSS JOIN LATERAL (SELECT greatest(a.start_at, k.wfrom) AS pstart,
		least(coalesce(a.end_at, a.start_at + a.stay_minutes * interval '1 minute'), k.wto) AS pend) p
	JOIN tracing.visits b ON b.venue_id = a.venue_id
		AND b.start_at >= a.start_at - $8::interval AND b.start_at < a.start_at + $8::interval + $4::interval
	CROSS JOIN LATERAL (SELECT greatest(p.pstart, b.start_at) AS ostart,
		least(p.pend + $4::interval, coalesce(b.end_at, b.start_at + b.stay_minutes * interval '1 minute')) AS oend) o
	LEFT JOIN ref_alias acb ON acb.k = b.person_key
	CROSS JOIN LATERAL (SELECT coalesce(acb.person, b.person_key) AS person) cb
	LEFT JOIN tracing.venues v ON v.id = a.venue_id
	WHERE p.pstart < p.pend AND o.ostart < o.oend AND cb.person <> k.person
	  AND (o.oend - o.ostart >= $5::interval OR NOT $6::boolean)`

	// sqlRefRide: $4 morning and $5 evening local departure. The ride's
	// instant is its departure, or its date's local time (UTC+7).
	sqlRefRide = sqlRefSources + `
	SELECT k.person, cq.person, r.enterprise, r.bus_id, r.ride_date, r.trip, t.at, r.seat, q.seat
	FROM keys k
	JOIN tracing.rides r ON r.person_key = k.k
	CROSS JOIN LATERAL (SELECT coalesce(r.departure, (r.ride_date::timestamp AT TIME ZONE 'UTC')
		+ CASE WHEN r.trip = 'pm' THEN $5::interval ELSE $4::interval END - interval '7 hours') AS at) t
	JOIN tracing.rides q ON q.enterprise = r.enterprise AND q.ride_date = r.ride_date AND q.trip = r.trip AND q.bus_id = r.bus_id
	LEFT JOIN ref_alias acq ON acq.k = q.person_key
	CROSS JOIN LATERAL (SELECT coalesce(acq.person, q.person_key) AS person) cq
	WHERE t.at >= k.wfrom AND t.at < k.wto AND cq.person <> k.person`

	// sqlRefDayGroup is a day group's span: its first day's start to its
	// last day's end, within the source's window.
	sqlRefDayGroup = `greatest((min(x.day)::timestamp AT TIME ZONE 'UTC') - interval '7 hours', x.wfrom),
		least((max(x.day)::timestamp AT TIME ZONE 'UTC') + interval '17 hours', x.wto)`

	// sqlRefResidence: per day, the source's periods (ps, in sp) and the
	// others' (pp) sharing its boarding house (room or house) or, both
	// without one, its address (household); the distinct days of each
	// group (other person, kind, ward, house, address, rooms) counted,
	// with the span of the group's days within the window.
	sqlRefResidence = sqlRefSources + sqlRefDays + `,
	sp AS MATERIALIZED (
		SELECT d.person, d.wfrom, d.wto, d.day, ps.ward_code, ps.boarding_house, ps.address, ps.room
		FROM days d
		JOIN keys k ON k.person = d.person
		JOIN tracing.worker_periods ps ON ps.person_key = k.k
			AND ps.valid_from <= d.day AND (ps.valid_to IS NULL OR d.day < ps.valid_to)),
	shared AS (
		SELECT sp.*, pp.person_key AS other, pp.room AS other_room,
			CASE WHEN sp.room <> '' AND sp.room = pp.room THEN 'room' ELSE 'house' END AS kind, '' AS shared_address
		FROM sp
		JOIN tracing.worker_periods pp ON pp.ward_code = sp.ward_code AND pp.boarding_house = sp.boarding_house
			AND pp.valid_from <= sp.day AND (pp.valid_to IS NULL OR sp.day < pp.valid_to)
		WHERE sp.boarding_house <> ''
		UNION ALL
		SELECT sp.*, pp.person_key, pp.room, 'household', sp.address
		FROM sp
		JOIN tracing.worker_periods pp ON pp.ward_code = sp.ward_code AND pp.address = sp.address AND pp.boarding_house = ''
			AND pp.valid_from <= sp.day AND (pp.valid_to IS NULL OR sp.day < pp.valid_to)
		WHERE sp.boarding_house = '' AND sp.address <> '')
	SELECT x.person, x.other, x.kind, x.ward_code, x.boarding_house, x.shared_address, x.room, x.other_room,
		count(*), ` + sqlRefDayGroup + `
	FROM (SELECT DISTINCT s.person, s.wfrom, s.wto, co.person AS other, s.kind, s.ward_code, s.boarding_house,
			s.shared_address, s.room, s.other_room, s.day
		FROM shared s
		LEFT JOIN ref_alias ao ON ao.k = s.other
		CROSS JOIN LATERAL (SELECT coalesce(ao.person, s.other) AS person) co
		WHERE co.person <> s.person) x
	GROUP BY x.person, x.wfrom, x.wto, x.other, x.kind, x.ward_code, x.boarding_house, x.shared_address, x.room, x.other_room`

	// sqlRefLine: per day, the source's periods on a line (sp) and the
	// others' on the same (enterprise, site, line, shift).
	sqlRefLine = sqlRefSources + sqlRefDays + `,
	sp AS MATERIALIZED (
		SELECT d.person, d.wfrom, d.wto, d.day, ps.enterprise, ps.site, ps.line, ps.shift
		FROM days d
		JOIN keys k ON k.person = d.person
		JOIN tracing.worker_periods ps ON ps.person_key = k.k AND ps.line <> ''
			AND ps.valid_from <= d.day AND (ps.valid_to IS NULL OR d.day < ps.valid_to))
	SELECT x.person, x.other, x.enterprise, x.site, x.line, x.shift, count(*), ` + sqlRefDayGroup + `
	FROM (SELECT DISTINCT sp.person, sp.wfrom, sp.wto, co.person AS other, sp.enterprise, sp.site, sp.line, sp.shift, sp.day
		FROM sp
		JOIN tracing.worker_periods pp ON pp.enterprise = sp.enterprise AND pp.site = sp.site AND pp.line = sp.line
			AND pp.shift = sp.shift AND pp.valid_from <= sp.day AND (pp.valid_to IS NULL OR sp.day < pp.valid_to)
		LEFT JOIN ref_alias ao ON ao.k = pp.person_key
		CROSS JOIN LATERAL (SELECT coalesce(ao.person, pp.person_key) AS person) co
		WHERE co.person <> sp.person) x
	GROUP BY x.person, x.wfrom, x.wto, x.other, x.enterprise, x.site, x.line, x.shift`

	// sqlRefProximity: $4 skew, $5 distance (m), $6 step, $7 min
	// duration, $8 and $9 the earliest window start and latest end (the
	// partitions read). Each source point x goes to the three bins of
	// width skew that [x − skew, x + skew] meets; the others' points y are
	// joined on their bin, then on the exact skew and distance. Points
	// counts the distinct source points x with a close y.
	sqlRefProximity = sqlRefSources + `,
	xs AS (
		SELECT k.person, x.person_key AS k, x.at, x.lon, x.lat,
			date_bin($4::interval, x.at, timestamptz '2000-01-01 00:00:00+00') + n * $4::interval AS bin
		FROM keys k
		JOIN tracing.traces x ON x.person_key = k.k AND x.at >= k.wfrom AND x.at < k.wto
		CROSS JOIN generate_series(-1, 1) AS n),
	close AS (
		SELECT xs.person, cy.person AS target, xs.k, xs.at,
			ST_DistanceSphere(ST_MakePoint(xs.lon, xs.lat), ST_MakePoint(y.lon, y.lat)) AS m
		FROM xs
		JOIN tracing.traces y ON date_bin($4::interval, y.at, timestamptz '2000-01-01 00:00:00+00') = xs.bin
			AND y.at >= $8::timestamptz - $4::interval AND y.at <= $9::timestamptz + $4::interval
		LEFT JOIN ref_alias acy ON acy.k = y.person_key
	CROSS JOIN LATERAL (SELECT coalesce(acy.person, y.person_key) AS person) cy
		WHERE y.at >= xs.at - $4::interval AND y.at <= xs.at + $4::interval AND cy.person <> xs.person)
	SELECT person, target, count(DISTINCT (k, at)), min(at), max(at), min(m)
	FROM close WHERE m <= $5::float8
	GROUP BY person, target
	HAVING count(DISTINCT (k, at)) * $6::interval >= $7::interval`
)
