package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.RegistryException;
import dev.berth.storage.Storage;
import java.util.ArrayList;
import java.util.List;

/** Lists the digests stored under a prefix, for the housekeeping walks (collection, eviction). */
final class StoredDigests {
    private StoredDigests() {
    }

    /**
     * The digests under a prefix laid out as {@code <alg>/<hex>} or, for blobs, {@code <alg>/<hh>/<hex>}; names
     * that are not digests (which berth never writes) are ignored.
     */
    static List<Digest> under(Storage storage, String prefix) {
        List<Digest> found = new ArrayList<>();
        boolean fanned = prefix.equals(Paths.BLOBS);
        for (String algorithm : storage.list(prefix)) {
            List<String> dirs = fanned ? storage.list(prefix + "/" + algorithm).stream()
                    .map(hh -> algorithm + "/" + hh).toList() : List.of(algorithm);
            for (String dir : dirs) {
                for (String hex : storage.list(prefix + "/" + dir)) {
                    try {
                        found.add(Digest.parse(algorithm + ":" + hex));
                    } catch (RegistryException e) {
                        // not berth's: leave it alone
                    }
                }
            }
        }
        return found;
    }
}
