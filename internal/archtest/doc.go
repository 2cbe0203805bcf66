// Package archtest holds no code, only a test: that Bando's packages depend
// on each other in one direction, cmd → HTTP edges → domain ← stores.
//
// The test reads the import graph with go list and checks a table of rules,
// each naming the packages it holds for and those they must never import,
// directly or through others; a failure names the chain of imports that
// breaks it. Rules may name packages that do not exist yet (tracing, auth,
// audit and their stores): they hold for them from the day they are added.
package archtest
