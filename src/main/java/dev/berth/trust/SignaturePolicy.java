package dev.berth.trust;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.config.BerthConfig;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.ManifestGate;
import dev.berth.registry.Repository;
import dev.berth.registry.StoredManifest;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code policy[]}: a manifest of an image in a repository a rule covers is served only when one of the rule's keys
 * signed its digest. An index is judged by its own signature (cosign signs the index digest by default), and once
 * verified it vouches for the platform manifests it lists; an index not signed as a whole passes when each of its
 * images is signed; a platform manifest asked for alone needs its own signature (cosign's {@code --recursive}).
 * Manifests of signatures, attestations and SBOMs are served as they are, so that clients can verify through berth.
 * Verified decisions are kept per repository, digest and key set for a while; nothing else is kept, so an image
 * signed later is served at once.
 */
public final class SignaturePolicy implements ManifestGate {
    private static final Logger LOG = System.getLogger(SignaturePolicy.class.getName());
    /** How long a verification stands before the signatures are read again (a removed one is then noticed). */
    private static final Duration VERIFIED_FOR = Duration.ofMinutes(10);
    private static final int MAX_DECISIONS = 10_000;
    /** The most platforms of an index not signed as a whole that are read for signatures of their own. */
    private static final int MAX_PLATFORMS = 32;
    /** The layer types of what describes an image rather than is one: cosign's, in-toto's, SPDX and CycloneDX. */
    private static final Set<String> SIGNATURE_DOCUMENTS = Set.of("application/vnd.dev.cosign.simplesigning.v1+json",
            "application/vnd.dsse.envelope.v1+json", "application/vnd.in-toto+json",
            "application/vnd.oci.empty.v1+json", "text/spdx", "text/spdx+json", "text/spdx+xml",
            "application/spdx+json", "application/vnd.cyclonedx", "application/vnd.cyclonedx+json",
            "application/vnd.cyclonedx+xml", "application/vnd.syft+json");

    private final List<PolicyRule> rules;
    private final Function<RepoName, SignedName> signedNames;
    private final PolicyEvents events;
    private final SignatureFinder finder = new SignatureFinder();
    private final Cache<String, SignatureState> verified = Caffeine.newBuilder().maximumSize(MAX_DECISIONS)
            .expireAfterWrite(VERIFIED_FOR).build();
    /** Digests already logged as unsigned, so that a log line is written once per digest, not per pull. */
    private final Cache<String, Boolean> logged = Caffeine.newBuilder().maximumSize(MAX_DECISIONS)
            .expireAfterWrite(Duration.ofHours(1)).build();

    /**
     * The policy of {@code rules}. {@code mirroredFrom} says which registry a stored name caches, if any: signatures
     * name such a repository by that registry or by the upstream's address ({@code mirror}'s URLs).
     */
    public SignaturePolicy(PolicyRules rules, BerthConfig.Mirror mirror,
                           Function<RepoName, Optional<String>> mirroredFrom, PolicyEvents events) {
        this.rules = rules.rules();
        this.signedNames = new SignedNames(mirror, mirroredFrom)::of;
        this.events = events;
    }

    @Override
    public void admit(Repository repository, StoredManifest stored) {
        RepoName name = repository.name();
        Optional<PolicyRule> rule = ruleFor(name);
        if (rule.isEmpty()) {
            return;
        }
        Manifest manifest = ManifestParser.parse(stored.bytes(), stored.mediaType());
        if (!needsSignature(manifest)) {
            return;
        }
        SignatureState state = decide(rule.get(), repository, manifest);
        if (state.isVerified()) {
            events.verified(name, manifest.digest());
            return;
        }
        String image = name + "@" + manifest.digest();
        String refusal = image + " has no signature by a key that policy requires";
        boolean first = logged.asMap().putIfAbsent(rule.get().keySet() + " " + image, Boolean.TRUE) == null;
        if (!rule.get().enforces()) {
            if (first) {
                LOG.log(Logger.Level.WARNING, refusal + " (" + state.reason() + "); served, as policy mode is warn");
            }
            events.warned(name, manifest.digest(), state);
            return;
        }
        if (first) {
            LOG.log(Logger.Level.INFO, refusal + " (" + state.reason() + "); refused");
        }
        events.refused(name, manifest.digest(), state);
        if (state.kind() == SignatureState.Kind.UNREADABLE) {
            throw new RegistryException(OciError.UNAVAILABLE, state.reason())
                    .withMessage("the signatures of " + image + " cannot be read now, and policy requires one");
        }
        throw new RegistryException(OciError.DENIED, state.reason()).withMessage(refusal);
    }

    /**
     * What the page shows of a tag: the state of its manifest under the rule covering {@code repository}, from the
     * decisions kept or else from what {@code repository} holds; empty where no rule applies or it is no image.
     */
    public Optional<SignatureState> state(Repository repository, Manifest manifest) {
        return ruleFor(repository.name()).filter(rule -> needsSignature(manifest))
                .map(rule -> decide(rule, repository, manifest));
    }

    private Optional<PolicyRule> ruleFor(RepoName name) {
        return rules.stream().filter(rule -> rule.covers(name.toString())).findFirst();
    }

    private SignatureState decide(PolicyRule rule, Repository repository, Manifest manifest) {
        SignatureState state = signed(rule, repository, manifest);
        if (state.isVerified()) {
            // The index's signature covers what it lists: cosign signs an index's digest alone by default.
            for (Descriptor platform : manifest.manifests()) {
                verified.asMap().putIfAbsent(key(rule, repository.name(), platform.digest().toString()),
                        SignatureState.verified(state.key() + ", through index " + manifest.digest()));
            }
            return state;
        }
        if (!manifest.isIndex()) {
            return state;
        }
        Optional<SignatureState> platforms = everyPlatformSigned(rule, repository, manifest);
        platforms.ifPresent(p -> verified.put(key(rule, repository.name(), manifest.digest().toString()), p));
        return platforms.orElse(state);
    }

    /** Whether one of the rule's keys signed {@code manifest} itself, from the decisions kept or its signatures. */
    private SignatureState signed(PolicyRule rule, Repository repository, Manifest manifest) {
        String key = key(rule, repository.name(), manifest.digest().toString());
        SignatureState known = verified.getIfPresent(key);
        if (known != null) {
            return known;
        }
        SignatureState state = SignatureCheck.decide(finder.find(repository, manifest.digest()), manifest.digest(),
                manifest.bytes(), signedNames.apply(repository.name()), rule.keys());
        if (state.isVerified()) {
            verified.put(key, state);
        }
        return state;
    }

    /**
     * An index not signed as a whole passes when every image it lists is signed on its own, as when each platform
     * was signed before the index was made; its attestation manifests (buildx's) need no signature. At most
     * {@value #MAX_PLATFORMS} images are read, each through the repository.
     */
    private Optional<SignatureState> everyPlatformSigned(PolicyRule rule, Repository repository, Manifest index) {
        List<Descriptor> images = index.manifests().stream()
                .filter(d -> !"attestation-manifest".equals(d.annotations().get("vnd.docker.reference.type")))
                .toList();
        if (images.isEmpty() || images.size() > MAX_PLATFORMS) {
            return Optional.empty();
        }
        String by = "";
        for (Descriptor image : images) {
            SignatureState state;
            try {
                StoredManifest stored = repository.manifest(new Reference.ByDigest(image.digest()));
                state = signed(rule, repository, ManifestParser.parse(stored.bytes(), stored.mediaType()));
            } catch (RegistryException e) {
                return Optional.empty();
            }
            if (!state.isVerified()) {
                return Optional.empty();
            }
            by = state.key();
        }
        return Optional.of(SignatureState.verified(by + ", each platform of the index"));
    }

    private static String key(PolicyRule rule, RepoName name, String digest) {
        return rule.keySet() + " " + name + "@" + digest;
    }

    /**
     * An index, or a manifest with any layer that is not a signature, attestation or SBOM: what a client may run or
     * install (an image, a Helm chart...). Signature documents pass, so that clients can verify through berth.
     */
    private static boolean needsSignature(Manifest manifest) {
        return manifest.isIndex() || manifest.layers().stream().map(Descriptor::mediaType)
                .anyMatch(type -> !SIGNATURE_DOCUMENTS.contains(type)
                        && !type.startsWith("application/vnd.dev.sigstore.bundle"));
    }
}
