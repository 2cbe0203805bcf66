// Package testkit is what Bando's tests share: golden files, the repository
// root and the shared data beside it, and MemReader, an in-memory
// features.Reader for handler tests. Only tests import it; no program of
// the project may.
//
// Golden files are rewritten, after checking the change, with
//
//	BANDO_UPDATE_GOLDEN=1 go test ./the/package/
//
// An environment variable rather than a -update flag: a flag would have to
// be registered when the package is imported, as mutable package state, and
// the variable works for many packages in one run.
package testkit
