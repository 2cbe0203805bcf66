// Package tracing is Bando's contact-tracing data: venues and their signed
// QR tokens, persons known only by a keyed hash of their phone or ID
// number, check-ins (visits) and health declarations, the rules that turn
// scans into visits, the masking venue owners see, and the typed Store
// both tracing/postgis and tracing/embedded implement (tracing/storetest is
// their contract).
//
// Tracing data is private. Every Store call reads the auth.Principal from
// its context and is scoped by it (see AccessFrom): officials see all
// venues, an enterprise only its own, and a verified venue token only its
// venue's check-ins. The stores enforce the scope themselves (PostgreSQL
// row-level security, the same rule in the embedded store).
//
// No function here reads the wall clock: stores and rules take a Clock.
//
// Settings and their defaults: Rules.RepeatWindow (a repeat scan within
// 10 minutes is the same visit), MaxStay (24 hours, the longest visit),
// a venue's DefaultStay (closes a visit with no check-out, on read and by
// Store.CloseOverdue), DefaultRetention (21 days, for the purge job),
// CoverageWindow (7 days). Keys derives the venue-token and person-hash
// keys from the server secret: rotating that secret invalidates printed
// QR codes and makes old person keys unmatchable.
//
// Ingest is benchmarked on both stores by
//
//	go test -run '^$' -bench CheckIn -benchtime 2s ./tracing/...
package tracing
