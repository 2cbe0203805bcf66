// Package demo draws a plausible Bình Dương province for demonstrations,
// tests and benchmarks: the nine real districts (GSO codes 718–726) with
// synthetic or imported shapes, synthetic wards cut from them, the 4th wave
// of COVID-19 in 2021 with its cases, contacts, clusters and the places and
// zones linked to them, and the shops and services of the lookup layers.
//
// Everything is drawn from Options.Seed; the same options give the same
// records, byte for byte. The demo scale ends on the bulletin of 5 July
// 2021 and reproduces its figures exactly; the province scale continues the
// wave and adds over a million lookup places for performance work.
//
// Nothing here is real data: names, phone numbers and identity numbers are
// made up, and ward names and codes are synthetic (codes are the district
// code followed by a two-digit number, e.g. 71801).
package demo
