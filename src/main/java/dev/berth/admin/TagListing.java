package dev.berth.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.budget.PinStore;
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
import dev.berth.trust.SignatureState;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The tags of a stored repository with what each points at, read from the store alone: listing a mirrored
 * repository's tags never asks its upstream and is not a pull (no hit, no miss, no place in the eviction order).
 * Only the tags of one page are read.
 */
public final class TagListing {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalRegistry local;
    private final PinStore pins;
    private final Function<Digest, Optional<Instant>> lastAccess;
    private final BiFunction<Repository, Manifest, Optional<SignatureState>> signatures;

    /**
     * Over {@code local}, with the disk budget's pins, its record of when each digest was last served, and the
     * signature state of an image under a policy (read from what the store holds).
     */
    public TagListing(LocalRegistry local, PinStore pins, Function<Digest, Optional<Instant>> lastAccess,
                      BiFunction<Repository, Manifest, Optional<SignatureState>> signatures) {
        this.local = local;
        this.pins = pins;
        this.lastAccess = lastAccess;
        this.signatures = signatures;
    }

    /** The tags of {@code name} after {@code after}, at most {@code size}; NAME_UNKNOWN for no such repository. */
    public Page<TagInfo> list(RepoName name, Optional<String> after, int size) {
        Repository repository = local.repository(name);
        List<String> all = repository.tags();
        Set<String> pinned = new HashSet<>(pins.tags(name));
        List<String> rest = all.stream().filter(t -> after.map(a -> t.compareTo(a) > 0).orElse(true)).toList();
        List<TagInfo> items = new ArrayList<>();
        for (String tag : rest.subList(0, Math.min(size, rest.size()))) {
            read(repository, new Reference.Tag(tag)).ifPresent(m -> items.add(info(repository, tag, m,
                    pinned.contains(tag))));
        }
        boolean more = rest.size() > size;
        return new Page<>(items, all.size(), more ? Optional.of(rest.get(size - 1)) : Optional.empty());
    }

    private TagInfo info(Repository repository, String tag, Manifest manifest, boolean pinned) {
        List<TagInfo.PlatformInfo> platforms = new ArrayList<>();
        long size = imageSize(manifest);
        Optional<Instant> pulled = lastAccess.apply(manifest.digest());
        if (manifest.isIndex()) {
            List<String> names = platformNames(manifest.bytes());
            for (int i = 0; i < manifest.manifests().size(); i++) {
                Descriptor child = manifest.manifests().get(i);
                Optional<Manifest> cached = read(repository, new Reference.ByDigest(child.digest()));
                long childSize = cached.map(TagListing::imageSize).orElse(child.size());
                platforms.add(new TagInfo.PlatformInfo(i < names.size() ? names.get(i) : "unknown",
                        child.digest().toString(), childSize, cached.isPresent()));
                if (cached.isPresent()) {
                    size += childSize;
                    pulled = latest(pulled, lastAccess.apply(child.digest()));
                }
            }
        }
        return new TagInfo(tag, manifest.digest().toString(), manifest.mediaType(), size, platforms, pulled, pinned,
                signatures.apply(repository, manifest).map(TagInfo.Signature::of));
    }

    /** The manifest's own bytes and the blobs it needs, as it declares them (no blob is looked at). */
    private static long imageSize(Manifest manifest) {
        return manifest.bytes().length + manifest.requiredBlobs().mapToLong(Descriptor::size).sum();
    }

    private static Optional<Instant> latest(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.filter(t -> t.isAfter(a.get())).or(() -> a);
    }

    /** {@code os/architecture[/variant]} of each entry of an index, in its order. */
    private static List<String> platformNames(byte[] index) {
        List<String> names = new ArrayList<>();
        try {
            for (JsonNode entry : JSON.readTree(index).path("manifests")) {
                JsonNode platform = entry.path("platform");
                String name = platform.path("os").asText("unknown") + "/" + platform.path("architecture").asText("unknown");
                String variant = platform.path("variant").asText("");
                names.add(variant.isEmpty() ? name : name + "/" + variant);
            }
        } catch (IOException e) {
            // Stored manifests parsed when they were stored; an unreadable one names no platforms.
        }
        return names;
    }

    /** The stored manifest, parsed; empty when it is gone (a tag may point at an evicted manifest). */
    private static Optional<Manifest> read(Repository repository, Reference reference) {
        try {
            StoredManifest stored = repository.manifest(reference);
            return Optional.of(ManifestParser.parse(stored.bytes(), stored.mediaType(), stored.digest().algorithm()));
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }
}
