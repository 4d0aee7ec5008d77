package dev.berth.mirror;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;

/** A client error caused by upstream trouble rather than by absent content, so a cached copy may stand in for it. */
final class UpstreamUnavailable extends RegistryException {
    UpstreamUnavailable(OciError error, String detail) {
        super(error, detail);
    }
}
