package dev.berth.registry;

import dev.berth.oci.Digest;
import java.time.Instant;

/** A tag of a private repository: the digest it points at, and when a client last pushed it. */
public record PushedTag(String tag, Digest digest, Instant pushed) {
}
