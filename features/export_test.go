package features

// ForgetGroups drops the groups kept in memory, not the people nor the
// areas, so that a benchmark times the grouping of a day alone.
func (p *PublicReader) ForgetGroups() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.groups)
}
