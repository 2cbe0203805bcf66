package demo

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
)

// stream returns the random source of one named part of the province. Each
// part has its own source, so a collection's records can be regenerated on
// their own, every time its iterator runs, with the same result.
func stream(seed int64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

// boundarySeed seeds the administrative map. Boundaries, ward names and
// codes do not depend on Options.Seed: every seed draws the same province.
const boundarySeed = 7400

// weighted picks indexes with probabilities proportional to their weights.
type weighted struct{ cum []float64 }

func newWeighted(w []float64) weighted {
	cum := make([]float64, len(w))
	total := 0.0
	for i, x := range w {
		total += math.Max(x, 0)
		cum[i] = total
	}
	return weighted{cum: cum}
}

func (w weighted) pick(rng *rand.Rand) int {
	x := rng.Float64() * w.cum[len(w.cum)-1]
	// Index i owns [cum[i-1], cum[i]), so a zero weight never wins.
	return sort.Search(len(w.cum)-1, func(i int) bool { return w.cum[i] > x })
}

// oneOf returns a random element of list.
func oneOf[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

// poisson draws a Poisson-distributed count with a small mean.
func poisson(rng *rand.Rand, mean float64) int {
	limit, n, p := math.Exp(-mean), 0, rng.Float64()
	for p > limit {
		n++
		p *= rng.Float64()
	}
	return n
}

// apportion splits total into integer parts proportional to weights by the
// largest remainder, so the parts always add up to total.
func apportion(total int, weights []float64) []int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	parts := make([]int, len(weights))
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(weights))
	given := 0
	for i, w := range weights {
		exact := float64(total) * w / sum
		parts[i] = int(math.Floor(exact))
		given += parts[i]
		rems[i] = rem{i, exact - float64(parts[i])}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; given < total; k++ {
		parts[rems[k%len(rems)].i]++
		given++
	}
	return parts
}
