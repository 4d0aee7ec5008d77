package dev.berth.trust;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.registry.BlobContent;
import dev.berth.registry.Repository;
import dev.berth.registry.StoredManifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the signatures of one digest in its repository, through the repository as clients read it (so a mirrored
 * one's signatures are fetched and cached like any tag or blob): cosign's tag {@code sha256-<hex>.sig}, and the
 * repository's referrers (Sigstore bundles, and cosign signatures stored as referrers). The one place that knows
 * where signatures live.
 */
final class SignatureFinder {
    static final String COSIGN_SIGNATURE = "dev.cosignproject.cosign/signature";
    static final String BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    static final String COSIGN_ARTIFACT = "application/vnd.dev.cosign.artifact.sig.v1+json";
    /** A payload or bundle is a few KiB; a larger one is not read. */
    private static final long MAX_DOCUMENT_BYTES = 256 * 1024;
    /** Bounds the work one manifest request can cause: signature layers and referrers read, in all. */
    private static final int MAX_SIGNATURES = 16;
    private static final Set<OciError> ABSENT = Set.of(OciError.MANIFEST_UNKNOWN, OciError.NAME_UNKNOWN,
            OciError.BLOB_UNKNOWN);

    /** The signatures found, and why some place could not be read (the upstream down with nothing cached). */
    record Found(List<FoundSignature> signatures, List<String> unreadable) {
    }

    Found find(Repository repository, Digest digest) {
        List<FoundSignature> signatures = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        String tag = digest.algorithm() + "-" + digest.hex() + ".sig";
        read(unreadable, tag, () -> cosignLayers(repository, repository.manifest(new Reference.Tag(tag)), tag,
                signatures));
        read(unreadable, "referrers of " + digest, () -> {
            for (Descriptor referrer : repository.referrers(digest, Optional.empty())) {
                if (signatures.size() >= MAX_SIGNATURES) {
                    break;
                }
                if (BUNDLE.equals(referrer.artifactType()) || COSIGN_ARTIFACT.equals(referrer.artifactType())) {
                    read(unreadable, referrer.digest().toString(), () -> referrer(repository, referrer, signatures));
                }
            }
        });
        return new Found(List.copyOf(signatures), List.copyOf(unreadable));
    }

    private void referrer(Repository repository, Descriptor referrer, List<FoundSignature> signatures) {
        StoredManifest stored = repository.manifest(new Reference.ByDigest(referrer.digest()));
        String where = "referrer " + referrer.digest();
        if (BUNDLE.equals(referrer.artifactType())) {
            Manifest manifest = ManifestParser.parse(stored.bytes(), stored.mediaType());
            manifest.layers().stream().filter(layer -> BUNDLE.equals(layer.mediaType())).findFirst()
                    .ifPresent(layer -> signatures.add(new FoundSignature.Bundle(where, blob(repository, layer))));
        } else {
            cosignLayers(repository, stored, where, signatures);
        }
    }

    private void cosignLayers(Repository repository, StoredManifest stored, String where,
                              List<FoundSignature> signatures) {
        Manifest manifest = ManifestParser.parse(stored.bytes(), stored.mediaType());
        for (Descriptor layer : manifest.layers()) {
            String signature = layer.annotations().get(COSIGN_SIGNATURE);
            if (signature != null && signatures.size() < MAX_SIGNATURES) {
                signatures.add(new FoundSignature.Cosign(where, blob(repository, layer), signature));
            }
        }
    }

    private static byte[] blob(Repository repository, Descriptor layer) {
        if (layer.size() > MAX_DOCUMENT_BYTES) {
            throw new RegistryException(OciError.MANIFEST_INVALID, "signature document " + layer.digest() + " has "
                    + layer.size() + " bytes, more than a signature needs");
        }
        try (BlobContent content = repository.openBlob(layer.digest())) {
            if (content.size() > MAX_DOCUMENT_BYTES) {
                throw new RegistryException(OciError.MANIFEST_INVALID, "signature document " + layer.digest()
                        + " is too large");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) content.size());
            content.copyTo(0, content.size(), out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new RegistryException(OciError.UNAVAILABLE, "signature document " + layer.digest()
                    + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Runs {@code step}; a place that is absent holds no signature, any other failure is noted as unreadable. */
    private static void read(List<String> unreadable, String place, Runnable step) {
        try {
            step.run();
        } catch (RegistryException e) {
            if (!ABSENT.contains(e.error())) {
                unreadable.add(place + ": " + e.getMessage());
            }
        }
    }
}
