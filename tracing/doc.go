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
package tracing
