package exposure

// HaversineM is the engine's distance on the sphere, for tests that put
// two trace points exactly TraceDistanceM apart.
var HaversineM = haversineM
