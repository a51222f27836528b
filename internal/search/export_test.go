package search

// SetBucketBitsForTest makes PostgreSQL's seq buckets small, so a test's
// few documents fill several; call it before anything is indexed. It
// returns the function that puts the size back.
func SetBucketBitsForTest(bits int) func() {
	old := bucketBits
	bucketBits = bits
	return func() { bucketBits = old }
}
