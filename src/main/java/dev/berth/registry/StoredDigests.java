package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.RegistryException;
import dev.berth.storage.Storage;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Lists the digests stored under a prefix, for the housekeeping walks (collection, eviction) and the catalog. */
final class StoredDigests {
    private StoredDigests() {
    }

    /**
     * The digests under a prefix laid out as {@code <alg>/<hex>} or, for blobs, {@code <alg>/<hh>/<hex>}; names
     * that are not digests (which berth never writes) are ignored.
     */
    static List<Digest> under(Storage storage, String prefix) {
        return stream(storage, prefix).toList();
    }

    /** The same, listed a directory at a time as the stream is consumed, for walks that may stop at the first. */
    static Stream<Digest> stream(Storage storage, String prefix) {
        boolean fanned = prefix.equals(Paths.BLOBS);
        return storage.list(prefix).stream().flatMap(algorithm -> {
            Stream<String> dirs = fanned
                    ? storage.list(prefix + "/" + algorithm).stream().map(hh -> algorithm + "/" + hh)
                    : Stream.of(algorithm);
            return dirs.flatMap(dir -> storage.list(prefix + "/" + dir).stream()
                    .flatMap(hex -> parse(algorithm, hex).stream()));
        });
    }

    private static Optional<Digest> parse(String algorithm, String hex) {
        try {
            return Optional.of(Digest.parse(algorithm + ":" + hex));
        } catch (RegistryException e) {
            // not berth's: leave it alone
            return Optional.empty();
        }
    }
}
