package dev.berth.budget;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.Repository;
import dev.berth.registry.StoredManifest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code repo:tag} entries of {@code cache.pin} and the pins kept in the store ({@link PinStore}, read again each
 * call, so another instance's pin counts from its next round): their cached manifests and the blobs those need, the
 * per-platform manifests of an index included, as they stand now (a tag moved by a pull pins its new manifest from
 * the next call).
 */
final class PinnedTags {
    private final LocalRegistry local;
    private final PinStore pins;
    private final List<String> entries;

    PinnedTags(LocalRegistry local, PinStore pins, List<String> entries) {
        this.local = local;
        this.pins = pins;
        this.entries = List.copyOf(entries);
    }

    /** The pinned tags' cached manifests and the blobs they need. */
    Set<Digest> digests() {
        Set<Digest> digests = new HashSet<>();
        List<String> all = new ArrayList<>(entries);
        all.addAll(pins.all());
        for (String entry : all) {
            int colon = entry.lastIndexOf(':');
            Repository repo = local.repository(RepoName.of(entry.substring(0, colon)));
            read(repo, new Reference.Tag(entry.substring(colon + 1))).ifPresent(m -> add(repo, m, digests));
        }
        return digests;
    }

    private static void add(Repository repo, Manifest manifest, Set<Digest> digests) {
        digests.add(manifest.digest());
        manifest.requiredBlobs().map(Descriptor::digest).forEach(digests::add);
        for (Descriptor child : manifest.manifests()) {
            read(repo, new Reference.ByDigest(child.digest())).ifPresent(m -> add(repo, m, digests));
        }
    }

    /** The cached manifest, if there is one that parses: a tag not pulled yet pins nothing. */
    private static Optional<Manifest> read(Repository repo, Reference reference) {
        try {
            StoredManifest stored = repo.manifest(reference);
            return Optional.of(ManifestParser.parse(stored.bytes(), stored.mediaType(), stored.digest().algorithm()));
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }
}
