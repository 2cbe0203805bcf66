// Package exposure is Bando's exposure engine: given F0s (a person, the
// symptom onset or positive sample, the isolation time), it finds who was
// exposed, why and when — F1 and F2 (to a depth that is a setting) and the
// weaker "epidemiological factor" tier — with every reason and its
// evidence.
//
// The engine depends on no store. It consumes a stream of events (a Sink:
// venues, visits, worker periods, rides, trace points, purges), keeps its
// own indexes (tidwall/rtree for space, sorted arrays for time), is loaded
// at start from a Source and updated as data arrives. Naive computes the
// same answer by brute force over a World, the definition the engine and
// the SQL reference (tracing/postgis) are property-tested against.
//
// The rules are those of ../shared/docs/DOMAIN.md; each is a field of
// Rules with its default stated there and in the README.
//
// # The definition
//
// Naive implements DESIGN-13 "Semantics" literally; the Engine (and the
// SQL reference in tracing/postgis) must agree with it exactly, as
// reflect.DeepEqual after SortResult and Result.Materialize. Where
// DESIGN-13 left a choice, this is the reading taken:
//
//   - Identity. canon(k) is the bytewise smallest Period.Person among the
//     periods whose AltPerson is k (a zero AltPerson is no alias), else k.
//     Every visit, ride, trace point and period of a raw key k belongs to
//     the person canon(k) (a period through its Person); so a person's
//     keys are {k : canon(k) = c}, which is DESIGN-13's {c} ∪ {…} whenever
//     canon(c) = c. F0 keys are canonicalized first; two F0s of one person
//     are an error, as are a zero key and an empty window. An F0 the data
//     never mentions is valid and reaches no one.
//   - Times are compared to the nanosecond; Result times are UTC. Result.F0s
//     are the F0s with canonical keys, sorted by key.
//   - Days. The Vietnam days of a window [from, to) are the UTC midnights d
//     from floor((from+7h)/24h) to floor((to−1ns+7h)/24h): those whose
//     DayInterval meets the window. A period covers d by Period.Covers.
//   - Residence groups are keyed by (person, kind, Ward, BoardingHouse,
//     Address, ViaRoom = the source's Room, Room = the contact's Room), and
//     the evidence carries exactly that key: room and house reasons have an
//     empty Address, household reasons an empty BoardingHouse (and the
//     periods' rooms, usually empty). Line groups are keyed by (person,
//     Enterprise, Site, Line, Shift); an empty Site or Shift matches an
//     empty one.
//   - Rides: the rider's group is (Enterprise, Date as an instant, Trip,
//     Bus); the evidence's Date is the ride's date in UTC and Departure is
//     the source's RideInstant.
//   - Proximity: a "distinct x" is a distinct trace point (raw key, time) of
//     the source; Minutes = Points × TraceStep in whole minutes (truncated);
//     the distance is exactly, in float64, with x first and R =
//     EarthRadiusM:
//     2·R·asin(min(1, sqrt(sin²((lat₂−lat₁)·π/180/2) +
//     cos(lat₁·π/180)·cos(lat₂·π/180)·sin²((lon₂−lon₁)·π/180/2)))),
//     π/180 computed once as a constant. Points compare with d ≤
//     TraceDistanceM and |Δt| ≤ TraceSkew.
//   - Levels. A contact's window as a source uses only its F1-tier reasons
//     from the level above (X_p, Iso(p)); an empty window leaves it a
//     contact that traces no one. A person with only Epi reasons from the
//     F0s who is reached at level k ≥ 2 is an F_k with only its reasons
//     from level k−1. Via lists the distinct Vias of the reported reasons.
//   - Links are every reason (any rule, any tier) from an F0 to another F0,
//     one Link per reason.
//   - Clusters. Two F0s are joined by a Link either way, or by both being
//     in the Via of one level-1 contact (its Epi-tier reasons from F0s
//     count too). Epi counts an epi contact once in each cluster one of its
//     Vias is in; F2 counts a contact of level ≥ 2 once in each cluster
//     one of its Vias was counted in at the level above. Venues and
//     Enterprises come from the reasons of the reported contacts whose Via
//     is an F0 of the cluster (not from Links); Enterprises from ride and
//     line reasons of either tier.
//   - Sorting is CompareReasons: DESIGN-13's order, then further fields so
//     that no two distinct reasons tie; SortResult also turns empty slices
//     into nil.
//
// Sinks (World and Engine) upsert visits by ID, periods by (Enterprise,
// Employee, ValidFrom), rides by (Enterprise, Date, Trip, Bus, raw Person),
// trace points by (raw Person, Time) and venues by ID: the last write
// wins, in any order. Forget(before) drops visits with Start < before,
// rides with Date < before, periods with a ValidTo < before and points
// with Time < before; venues stay.
//
// # The engine
//
// Visits live in one arena of 32-byte records (Unix-ns times, interned
// person and venue); a write only appends to it (a load that knows its
// size reserves it first: Reserver). A compaction (after the load, then
// whenever the visits written since exceed an eighth, and at Forget)
// orders the arena by (venue, start) into a fresh arena — a counting sort
// by venue reading the old arena once, in parts, one per worker, then
// each venue's run by start, the runs shared among the workers and sorted
// as packed integers (start and place) when they fit — so that a venue's
// visits in a time range are one contiguous run, scanned from (start of
// the source's exposure − the venue's longest visit); visits written
// since are listed per venue, at the next flush, until the next
// compaction. Per raw person and by ID (for upserts) the visits are lists
// of arena indices, filled at the flush (each list grown once by its
// count; the IDs written since the last flush sorted by a radix sort);
// person keys are interned in an open-addressing table. Periods (few) are rebuilt into maps by
// owner, boarding house, address and line, with the alias map, after any
// change. Rides are 24-byte records, by (enterprise, date, trip, bus) group
// and by person. Trace points are kept in hourly buckets ordered by
// (person, time) (a person's points in a window: a binary search per
// hour), each bucket with a tidwall/rtree of float32 boxes, rounded
// outwards, over segments of up to 16 consecutive points of one person; a
// source point searches a box around TraceDistanceM in the buckets its
// skew spans, then measures exactly. Venues have an R-tree for VenuesNear.
//
// Writes append under the lock and mark what they touch; a write that
// finds the lock held by a run is kept (with a copy of its items) and
// applied, in order, by the next write or run, so a writer never waits for
// a run. A run first applies what was kept and tidies what was marked
// (sorts, dedupes, compacts), then holds the read lock. Each level's
// sources are traced on Options.Workers goroutines (reasons to persons of
// earlier levels dropped at the source) into compact hits of 32 bytes
// without pointers (the reason's kind, tier, interval, and its evidence as
// arena indices, or for lines and residences an index into the source's
// few and the days; the few proximity reasons are built whole), appended
// into chunks shared by a worker's sources. A
// counting sort by person (a generation-stamped slot per person, reused
// across runs) places every hit, already as one of the result's compact
// reasons, in its person's segment of one array, taking the sources in
// key order, so that each segment is already ordered by via (a large
// level's persons are split by their hits among the workers, each
// reading every hit and placing its own persons', in the same order, in
// its own part of the array); then, on
// the workers again, each via's run of a segment (a few, usually) is
// sorted by (kind, start, end) — runs equal on those, rare, are sorted
// again as reasons by CompareReasons — and its evidence resolved in
// place. Those compact reasons are 40-byte records without pointers that
// hold every value of a Reason (times, visit ids, days) or an index into
// the run's own tables: its sources (key and label), copies of the
// venues (id, category), ride groups and seats its reasons name (taken
// once each, through generation-stamped slots), each source's lines and
// residences (without the days), and the few proximity reasons, built
// whole. A contact's exposure bounds are taken from its records. A
// Reason is made only when asked for (Contact.Reasons or AppendReasons,
// a contact or a page at a time; Result.Materialize for all), so that a
// batch holds about 80 bytes a reason (its records and contacts) instead
// of the 260 of a Reason with its evidence, and makes none; and since
// those records name nothing of the engine's indexes (arena indices move
// at a compaction, a venue's category changes with an upsert), data
// arriving after a run change nothing of its answer. The contacts come
// out in their canonical order, so a run sorts only its F0s, clusters and
// links. Residence and line groups
// collect, per pair of periods, the bitset of the days both cover;
// cluster counts use dense slices over the run's persons; a large
// batch's clusters' venues and enterprises are noted on the workers,
// each into its own set, and its contacts sorted in halves on them then
// merged: one answer whatever the scheduling (a test compares three
// workers splitting every step with one worker). A source is
// traced once per run: a person reached from many F0s is one source of
// the next level.
//
// Benchmarks run on a generated world of 50,000 persons over 14 days
// (exposuretest.Populate): BenchmarkRunOneF0 traces one random F0 to F1
// and F2 per iteration (ns/op is the per-F0 time; p50-ms and p99-ms are
// reported too), BenchmarkRunBatch 500 F0s in one run, BenchmarkLoad the
// load with the heap it leaves:
//
//	go test -run '^$' -bench RunOneF0 -benchtime 200x ./tracing/exposure
//	go test -run '^$' -bench 'RunBatch|Load' -benchtime 3x ./tracing/exposure
//
// The ready time at the province's scale is `bando bench trace` (README,
// "The exposure engine at the province's scale"): on the shared 2-core
// machine, a 25% world's load (10.7M visits) took 10.6–11.8 s of CPU
// from the generator (`--fractions 0.25 --f0 100 --no-batch --profile
// DIR`, load.cpu; 17.7–18.6 s before the load's writes only appended and
// the flush built the lists) and 16.7 s of the process's CPU through
// PostGIS's LoadInto (`--fractions none --from-db --sql-sample 0`, 28–31 s
// before). Later, under a load of 9–14 from other work, six runs each
// alternating: 15.0–17.6 s of the process's CPU and 5.8–7.4 s of the
// backends' (17.5–20.9 s and 7.2–9.1 s before the engine was a Lean sink,
// read fewer columns, placed the load's IDs by address and reserved its
// periods), peak RSS 1.51–1.56 GB (1.77–1.78). Of a load's CPU about a
// third is the kernel's, first touching the heap's pages: the figure to
// cut next is the memory a load touches (the two arenas of the first
// compaction), not its arithmetic.
package exposure
