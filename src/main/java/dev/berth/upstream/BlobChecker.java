package dev.berth.upstream;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import java.util.Optional;

/** HEAD of a blob: whether the upstream's repository holds it, and its size (-1 when unsaid), without the bytes. */
final class BlobChecker {
    private final EndpointCaller caller;
    private final V2Requests requests;

    BlobChecker(EndpointCaller caller, V2Requests requests) {
        this.caller = caller;
        this.requests = requests;
    }

    Optional<Long> check(RepoName repository, Digest digest) {
        return caller.call(requests.blob(repository, digest).head().build(),
                ContentLength::of);
    }
}
