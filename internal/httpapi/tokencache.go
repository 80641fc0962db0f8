package httpapi

// maxCached bounds each of the API's caches (tokens, webhook sources); past
// it a cache drops its expired entries, or starts afresh.
const maxCached = 10000
