// Package httpx holds what every HTTP route of Bando shares: one error
// handler answering RFC 9457 problem details, query-parameter checking,
// number and day parsing, gzip negotiation, security headers and CORS.
//
// It imports no store and no domain package: domain errors reach it through
// the table of Rules the command wires in (features.ErrNotFound → 404, …),
// so that the mapping from error to status is stated once.
//
// Middleware follows Echo's XConfig{Skipper} + XWithConfig() shape.
package httpx
