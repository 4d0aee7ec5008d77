package dev.berth.trust;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;

/**
 * What the signature policy reports of each manifest it rules on, for metrics; {@link #refused} is also where the
 * audit log and notifications would record a refusal.
 */
public interface PolicyEvents {
    PolicyEvents NONE = new PolicyEvents() {
        @Override
        public void verified(RepoName repository, Digest digest) {
        }

        @Override
        public void warned(RepoName repository, Digest digest, SignatureState state) {
        }

        @Override
        public void refused(RepoName repository, Digest digest, SignatureState state) {
        }
    };

    /** A manifest served with a signature by a required key. */
    void verified(RepoName repository, Digest digest);

    /** A manifest served without one, under a policy in warn mode. */
    void warned(RepoName repository, Digest digest, SignatureState state);

    /** A manifest refused under a policy in enforce mode. */
    void refused(RepoName repository, Digest digest, SignatureState state);
}
