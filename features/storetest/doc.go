// Package storetest is the contract every features store keeps, as a test
// suite: each store's tests call Run with a function that opens a new,
// empty store (PostGIS on a fresh database, the embedded store in a
// temporary directory), and the same subtests then check writes, items,
// items by id, extents, nearby, search and privacy on both. Where the two
// stores differ, one of them breaks the contract.
//
// Only tests import it. Its fixture (Fixture, Persons, Homes) is a small
// province around Thủ Dầu Một whose people have personal fields that no
// public read may show; stores' own tests use it too.
package storetest
