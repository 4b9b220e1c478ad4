// Command bench measures a built testidp binary against the performance
// budget of DESIGN.md and prints the figures as Markdown for BENCHMARKS.md:
//
//   - the in-process benchmarks of the token endpoint and of minting (CPU
//     per token beside go-jose's raw signature, from go test -bench);
//   - requests per second and p50/p99 latency over loopback for discovery,
//     the JWKS and client_credentials per algorithm (wrk when installed,
//     else a Go generator), with the server's CPU per request;
//   - cold start: exec to the first 200 on discovery, with persisted keys;
//   - resident memory idle, after the load, and sampled during a sustained
//     run of mixed traffic (authorization-code flows with login auto,
//     refreshes, userinfo, client credentials, JWKS) from concurrent
//     clients, which must end with zero errors and memory that levels off.
//
// It is a module of its own so that go test ./... never runs it. From the
// repository root:
//
//	(cd bench && go run . -write ../BENCHMARKS.md)
//
// -quick shortens every phase (for a check that the tool works); -h lists
// the other flags. Run it on a quiet machine: the load generator and the
// server share its cores.
package main
