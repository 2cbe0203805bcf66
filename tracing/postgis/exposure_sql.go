package postgis

// The SQL of ExposureReference: one statement per rule of DESIGN-13
// "Semantics", each run for all the sources of one BFS level at once.
// Every statement starts from the same two CTEs:
//
//   - src: the sources, from three arrays ($1 canonical person keys, $2
//     window starts, $3 window ends);
//   - keys: each source with every key of its group: itself and each
//     alias (worker_periods.alt_person_key of one of its periods) whose
//     canonical person it is.
//
// A matched row's person is canonicalised by the lateral subquery
// in each statement (the smallest person_key of the periods whose
// alt_person_key is the key, else the key); rows of the source itself are
// dropped. Statements return one row per reason (venue, ride) or per
// group (residence, line, proximity), with its evidence; the tiers of
// constant rules and the BFS are the Go side's (exposure_reference.go).
//
// Times are bound as timestamptz, durations as intervals. The scans use
// the stores' indexes: visits by (person_key, start_at) for the source and
// (venue_id, start_at) for the others, bounded by tracing.MaxStay ($8 of
// the venue rule); rides by person and by primary key; periods by person
// and enterprise. Traces have no index on time (their partitions are read
// whole, see 0008): the proximity rule reads the window's partitions once
// and hash-joins them on time bins of TraceSkew.

const (
	sqlRefSources = `WITH src AS (
		SELECT * FROM unnest($1::bytea[], $2::timestamptz[], $3::timestamptz[]) AS s(person, wfrom, wto)),
	keys AS (
		SELECT s.person, s.wfrom, s.wto, s.person AS k FROM src s
		UNION
		SELECT s.person, s.wfrom, s.wto, p.alt_person_key FROM src s
		JOIN tracing.worker_periods p ON p.person_key = s.person AND p.alt_person_key IS NOT NULL
		WHERE (SELECT c.person_key FROM tracing.worker_periods c WHERE c.alt_person_key = p.alt_person_key
			ORDER BY c.person_key LIMIT 1) = s.person)`

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
	// W, E = P with the tail, O = E ∩ B.
	sqlRefVenue = sqlRefSources + `
	SELECT k.person, cb.person, a.venue_id, coalesce(v.category, ''), a.id, b.id, o.ostart, o.oend,
		o.oend - o.ostart >= $5::interval AND NOT coalesce(v.category = ANY($7::text[]), false) AS close
	FROM keys k
	JOIN tracing.visits a ON a.person_key = k.k AND a.start_at < k.wto AND a.start_at >= k.wfrom - $8::interval
	CROSS JOIN LATERAL (SELECT greatest(a.start_at, k.wfrom) AS pstart,
		least(coalesce(a.end_at, a.start_at + a.stay_minutes * interval '1 minute'), k.wto) AS pend) p
	JOIN tracing.visits b ON b.venue_id = a.venue_id AND b.start_at < p.pend + $4::interval AND b.start_at >= p.pstart - $8::interval
	CROSS JOIN LATERAL (SELECT greatest(p.pstart, b.start_at) AS ostart,
		least(p.pend + $4::interval, coalesce(b.end_at, b.start_at + b.stay_minutes * interval '1 minute')) AS oend) o
	CROSS JOIN LATERAL (SELECT coalesce((SELECT c.person_key FROM tracing.worker_periods c
		WHERE c.alt_person_key = b.person_key ORDER BY c.person_key LIMIT 1), b.person_key) AS person) cb
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
	CROSS JOIN LATERAL (SELECT coalesce((SELECT c.person_key FROM tracing.worker_periods c
		WHERE c.alt_person_key = q.person_key ORDER BY c.person_key LIMIT 1), q.person_key) AS person) cq
	WHERE t.at >= k.wfrom AND t.at < k.wto AND cq.person <> k.person`

	// sqlRefResidence: per day, the source's periods (ps) and the others'
	// (pp) sharing its boarding house (room or house) or, without one,
	// its address (household); grouped, with the days counted.
	sqlRefResidence = sqlRefSources + sqlRefDays + `
	SELECT d.person, cp.person, m.kind, ps.ward_code, ps.boarding_house, m.address, ps.room, pp.room,
		count(DISTINCT d.day), greatest((min(d.day)::timestamp AT TIME ZONE 'UTC') - interval '7 hours', d.wfrom),
		least((max(d.day)::timestamp AT TIME ZONE 'UTC') + interval '17 hours', d.wto)
	FROM days d
	JOIN keys k ON k.person = d.person
	JOIN tracing.worker_periods ps ON ps.person_key = k.k
		AND ps.valid_from <= d.day AND (ps.valid_to IS NULL OR d.day < ps.valid_to)
	JOIN tracing.worker_periods pp ON pp.ward_code = ps.ward_code
		AND pp.valid_from <= d.day AND (pp.valid_to IS NULL OR d.day < pp.valid_to)
		AND ((ps.boarding_house <> '' AND pp.boarding_house = ps.boarding_house)
		  OR (ps.boarding_house = '' AND pp.boarding_house = '' AND ps.address <> '' AND pp.address = ps.address))
	CROSS JOIN LATERAL (SELECT
		CASE WHEN ps.boarding_house = '' THEN 'household' WHEN ps.room <> '' AND ps.room = pp.room THEN 'room' ELSE 'house' END AS kind,
		CASE WHEN ps.boarding_house = '' THEN ps.address ELSE '' END AS address) m
	CROSS JOIN LATERAL (SELECT coalesce((SELECT c.person_key FROM tracing.worker_periods c
		WHERE c.alt_person_key = pp.person_key ORDER BY c.person_key LIMIT 1), pp.person_key) AS person) cp
	WHERE cp.person <> d.person
	GROUP BY d.person, d.wfrom, d.wto, cp.person, m.kind, ps.ward_code, ps.boarding_house, m.address, ps.room, pp.room`

	// sqlRefLine: per day, the source's periods on a line and the others'
	// on the same (enterprise, site, line, shift).
	sqlRefLine = sqlRefSources + sqlRefDays + `
	SELECT d.person, cp.person, ps.enterprise, ps.site, ps.line, ps.shift,
		count(DISTINCT d.day), greatest((min(d.day)::timestamp AT TIME ZONE 'UTC') - interval '7 hours', d.wfrom),
		least((max(d.day)::timestamp AT TIME ZONE 'UTC') + interval '17 hours', d.wto)
	FROM days d
	JOIN keys k ON k.person = d.person
	JOIN tracing.worker_periods ps ON ps.person_key = k.k AND ps.line <> ''
		AND ps.valid_from <= d.day AND (ps.valid_to IS NULL OR d.day < ps.valid_to)
	JOIN tracing.worker_periods pp ON pp.enterprise = ps.enterprise AND pp.site = ps.site
		AND pp.line = ps.line AND pp.shift = ps.shift
		AND pp.valid_from <= d.day AND (pp.valid_to IS NULL OR d.day < pp.valid_to)
	CROSS JOIN LATERAL (SELECT coalesce((SELECT c.person_key FROM tracing.worker_periods c
		WHERE c.alt_person_key = pp.person_key ORDER BY c.person_key LIMIT 1), pp.person_key) AS person) cp
	WHERE cp.person <> d.person
	GROUP BY d.person, d.wfrom, d.wto, cp.person, ps.enterprise, ps.site, ps.line, ps.shift`

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
		CROSS JOIN LATERAL (SELECT coalesce((SELECT c.person_key FROM tracing.worker_periods c
			WHERE c.alt_person_key = y.person_key ORDER BY c.person_key LIMIT 1), y.person_key) AS person) cy
		WHERE y.at >= xs.at - $4::interval AND y.at <= xs.at + $4::interval AND cy.person <> xs.person)
	SELECT person, target, count(DISTINCT (k, at)), min(at), max(at), min(m)
	FROM close WHERE m <= $5::float8
	GROUP BY person, target
	HAVING count(DISTINCT (k, at)) * $6::interval >= $7::interval`
)
