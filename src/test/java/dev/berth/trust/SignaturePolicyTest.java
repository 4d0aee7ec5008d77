package dev.berth.trust;

import static dev.berth.support.MockHub.manifestPath;
import static dev.berth.support.RegistryAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.mirror.MirrorTestBase;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.support.CosignSigner;
import dev.berth.support.LogCapture;
import dev.berth.support.MockHub;
import dev.berth.support.RegistryAssertions;
import dev.berth.support.RunningBerth;
import dev.berth.support.Scrape;
import dev.berth.support.TestData;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code policy[]} through the registry API, with images signed by the JDK exactly as cosign signs them: what a client
 * gets for a signed, an unsigned and a wrongly signed image, for indexes, in warn mode, with the upstream down, and
 * what the page's API and the metrics show.
 */
class SignaturePolicyTest extends MirrorTestBase {
    private static final String APP = "myorg/app";
    /** What cosign writes as docker-reference for an image of Docker Hub. */
    private static final String SIGNED_AS = "index.docker.io/myorg/app";
    private static final String ACCEPT_ALL = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST);

    // Made once: an RSA key pair takes a while to generate.
    private static final CosignSigner ECDSA = CosignSigner.ecdsa();
    private static final CosignSigner RSA = CosignSigner.rsa();
    private static final CosignSigner ED25519 = CosignSigner.ed25519();
    @TempDir
    Path keys;

    @Override
    protected String mirrorYaml() {
        Path ec = ECDSA.writePublicKey(keys.resolve("cosign.pub"));
        Path rs = RSA.writePublicKey(keys.resolve("rsa.pub"));
        Path ed = ED25519.writePublicKey(keys.resolve("ed25519.pub"));
        return super.mirrorYaml() + "policy:\n"
                + "  - {repositories: ['docker.io/myorg/*', 'team/*'], require: signature, mode: enforce,"
                + " keys: ['" + ec + "', '" + rs + "', '" + ed + "']}\n"
                + "  - {repositories: ['docker.io/trying/*'], require: signature, mode: warn, keys: ['" + ec + "']}\n";
    }

    @Test
    void aSignedImageIsServedAndItsSignatureTooSoThatClientsCanVerifyThroughBerth() {
        MockHub.Image image = hub.image(APP, "1.0", 1);
        CosignSigner.SignatureManifest signature = seedSignature(APP, image.digest(),
                ECDSA.signatureManifest(CosignSigner.payload(SIGNED_AS, image.digest())));

        assertManifest(client.get("/v2/" + APP + "/manifests/1.0"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertManifest(client.get("/v2/" + APP + "/manifests/" + image.digest()), image.manifest(),
                MediaTypes.OCI_MANIFEST);
        // The signature manifest is no image: it is served as it is, as cosign verify asks for it.
        assertManifest(client.get("/v2/" + APP + "/manifests/" + CosignSigner.signatureTag(image.digest())),
                signature.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(1, hub.served("HEAD", manifestPath(APP, CosignSigner.signatureTag(image.digest()))),
                () -> "the decision is kept: the signature is read once; the hub was asked " + hub.log());

        Scrape metrics = Scrape.of(client);
        assertEquals(2, metrics.value("berth_policy_pulls_total", Map.of("result", "verified")), metrics::toString);
        assertEquals(0, metrics.value("berth_policy_pulls_total", Map.of("result", "refused")));
        JsonNode state = tagSignature("docker.io/myorg/app", "1.0");
        assertEquals("verified", state.path("state").asText(), state::toString);
        assertEquals("cosign.pub", state.path("key").asText());
    }

    @Test
    void anUnsignedImageIsRefusedWithTheMessageDockerPrints() {
        MockHub.Image image = hub.image(APP, "1.0", 2);

        HttpResponse<byte[]> r = client.get("/v2/" + APP + "/manifests/1.0");
        assertError(r, 403, "DENIED");
        assertEquals("docker.io/myorg/app@" + image.digest() + " has no signature by a key that policy requires",
                RegistryAssertions.json(r).path("errors").path(0).path("message").asText());
        assertEquals(1, hub.served("HEAD", manifestPath(APP, CosignSigner.signatureTag(image.digest()))),
                () -> "the signature tag was looked for; the hub was asked " + hub.log());
        assertError(client.head("/v2/" + APP + "/manifests/1.0"), 403, "DENIED");

        Scrape metrics = Scrape.of(client);
        assertEquals(2, metrics.value("berth_policy_pulls_total", Map.of("result", "refused")), metrics::toString);
        assertEquals("unsigned", tagSignature("docker.io/myorg/app", "1.0").path("state").asText());

        // Signed later: served at once, as no refusal is kept.
        seedSignature(APP, image.digest(), ECDSA.signatureManifest(CosignSigner.payload(SIGNED_AS, image.digest())));
        clock.advance(NEGATIVE_TTL.plusSeconds(1));
        assertManifest(client.get("/v2/" + APP + "/manifests/1.0"), image.manifest(), MediaTypes.OCI_MANIFEST);
    }

    @Test
    void signaturesThatCannotBeReadMakeA503NotARefusal() {
        MockHub.Image image = hub.image(APP, "1.0", 18);
        String signatureTag = manifestPath(APP, CosignSigner.signatureTag(image.digest()));
        hub.override("HEAD", signatureTag, MockHub.status(503));
        hub.override("GET", signatureTag, MockHub.status(503));

        HttpResponse<byte[]> r = client.get("/v2/" + APP + "/manifests/1.0");
        assertError(r, 503, "UNAVAILABLE");
        assertEquals("the signatures of docker.io/myorg/app@" + image.digest() + " cannot be read now, and policy"
                + " requires one", RegistryAssertions.json(r).path("errors").path(0).path("message").asText());
        Scrape metrics = Scrape.of(client);
        assertEquals(1, metrics.value("berth_policy_pulls_total", Map.of("result", "refused")), metrics::toString);
    }

    @Test
    void aSignatureOverAnotherDigestIsRefused() {
        MockHub.Image image = hub.image(APP, "1.0", 3);
        MockHub.Image other = hub.image(APP, "2.0", 4);
        seedSignature(APP, image.digest(), ECDSA.signatureManifest(CosignSigner.payload(SIGNED_AS, other.digest())));

        HttpResponse<byte[]> r = client.get("/v2/" + APP + "/manifests/1.0");
        assertError(r, 403, "DENIED");
        assertTrue(RegistryAssertions.json(r).path("errors").path(0).path("detail").asText()
                .contains("it signs " + other.digest()), () -> new String(r.body()));
        JsonNode state = tagSignature("docker.io/myorg/app", "1.0");
        assertEquals("invalid", state.path("state").asText(), state::toString);
    }

    @Test
    void aSignatureByAnotherKeyIsRefused() {
        MockHub.Image image = hub.image(APP, "1.0", 5);
        seedSignature(APP, image.digest(), CosignSigner.ecdsa()
                .signatureManifest(CosignSigner.payload(SIGNED_AS, image.digest())));

        HttpResponse<byte[]> r = client.get("/v2/" + APP + "/manifests/1.0");
        assertError(r, 403, "DENIED");
        assertTrue(new String(r.body()).contains("does not verify with a required key"), () -> new String(r.body()));
    }

    @Test
    void aTamperedPayloadIsRefused() {
        MockHub.Image image = hub.image(APP, "1.0", 6);
        byte[] signed = CosignSigner.payload(SIGNED_AS, image.digest());
        // The same claims, one byte changed where it does not alter them: the signature no longer covers the bytes.
        byte[] tampered = new String(signed).replace("\"optional\":null", "\"optional\":{}").getBytes();
        seedSignature(APP, image.digest(), CosignSigner.signatureManifest(tampered, ECDSA.sign(signed)));

        assertError(client.get("/v2/" + APP + "/manifests/1.0"), 403, "DENIED");
    }

    @Test
    void aSignatureNamingAnotherRepositoryIsRefused() {
        MockHub.Image image = hub.image(APP, "1.0", 7);
        seedSignature(APP, image.digest(), ECDSA.signatureManifest(
                CosignSigner.payload("index.docker.io/myorg/other", image.digest())));

        HttpResponse<byte[]> r = client.get("/v2/" + APP + "/manifests/1.0");
        assertError(r, 403, "DENIED");
        assertTrue(new String(r.body()).contains("names index.docker.io/myorg/other"), () -> new String(r.body()));
    }

    @Test
    void onlySignaturesAttestationsAndSbomsAreServedUnsignedNotOtherArtifacts() {
        byte[] empty = TestData.utf8("{}");
        byte[] chart = TestData.bytes(200, 17);
        byte[] sbom = TestData.utf8("{\"spdxVersion\":\"SPDX-2.3\"}");
        hub.blob(APP, empty);
        hub.blob(APP, chart);
        hub.blob(APP, sbom);
        byte[] helm = artifact("application/vnd.cncf.helm.config.v1+json", empty,
                "application/vnd.cncf.helm.chart.content.v1.tar+gzip", chart);
        byte[] spdx = artifact("application/vnd.oci.empty.v1+json", empty, "text/spdx+json", sbom);
        hub.manifest(APP, "chart", helm, MediaTypes.OCI_MANIFEST);
        hub.manifest(APP, "sbom", spdx, MediaTypes.OCI_MANIFEST);

        assertError(client.get("/v2/" + APP + "/manifests/chart"), 403, "DENIED");
        assertManifest(client.get("/v2/" + APP + "/manifests/sbom"), spdx, MediaTypes.OCI_MANIFEST);
    }

    @Test
    void rsaAndEd25519KeysVerifyToo() {
        MockHub.Image byRsa = hub.image(APP, "rsa", 8);
        MockHub.Image byEd = hub.image(APP, "ed", 9);
        seedSignature(APP, byRsa.digest(), RSA.signatureManifest(CosignSigner.payload(SIGNED_AS, byRsa.digest())));
        // Signed at the upstream's own address, as a signer pushing to it names it: the upstream's host counts too.
        seedSignature(APP, byEd.digest(), ED25519.signatureManifest(CosignSigner.payload(
                hub.url().replaceFirst("^http://", "").replaceFirst("/$", "") + "/" + APP, byEd.digest())));

        assertManifest(client.get("/v2/" + APP + "/manifests/rsa"), byRsa.manifest(), MediaTypes.OCI_MANIFEST);
        assertManifest(client.get("/v2/" + APP + "/manifests/ed"), byEd.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals("rsa.pub", tagSignature("docker.io/myorg/app", "rsa").path("key").asText());
        assertEquals("ed25519.pub", tagSignature("docker.io/myorg/app", "ed").path("key").asText());
    }

    @Test
    void aSignedIndexVouchesForItsPlatformsAndAPlatformAloneNeedsItsOwnSignature() {
        MockHub.Image amd64 = hub.image(APP, null, 10);
        MockHub.Image arm64 = hub.image(APP, null, 11);
        byte[] index = MockHub.index(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, amd64, arm64);
        Digest indexDigest = hub.manifest(APP, "multi", index, MediaTypes.OCI_INDEX);
        MockHub.Image loose = hub.image(APP, null, 12);
        MockHub.Image recursive = hub.image(APP, null, 13);
        seedSignature(APP, indexDigest, ECDSA.signatureManifest(CosignSigner.payload(SIGNED_AS, indexDigest)));
        seedSignature(APP, recursive.digest(), ECDSA.signatureManifest(
                CosignSigner.payload(SIGNED_AS, recursive.digest())));

        assertManifest(client.get("/v2/" + APP + "/manifests/multi", "Accept", ACCEPT_ALL), index,
                MediaTypes.OCI_INDEX);
        // As a client pulls: the index, then its platform's manifest, which the index's signature covers.
        assertManifest(client.get("/v2/" + APP + "/manifests/" + arm64.digest(), "Accept", ACCEPT_ALL),
                arm64.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(0, hub.count("HEAD", manifestPath(APP, CosignSigner.signatureTag(arm64.digest()))),
                "a platform of a verified index needs no signature of its own");
        assertError(client.get("/v2/" + APP + "/manifests/" + loose.digest()), 403, "DENIED");
        assertManifest(client.get("/v2/" + APP + "/manifests/" + recursive.digest()), recursive.manifest(),
                MediaTypes.OCI_MANIFEST);
    }

    @Test
    void anIndexNotSignedAsAWholePassesWhenEachOfItsImagesIsSigned() {
        MockHub.Image amd64 = hub.image(APP, null, 19);
        MockHub.Image arm64 = hub.image(APP, null, 20);
        byte[] index = MockHub.index(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, amd64, arm64);
        hub.manifest(APP, "each", index, MediaTypes.OCI_INDEX);
        byte[] half = MockHub.index(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, amd64, hub.image(APP, null, 21));
        hub.manifest(APP, "half", half, MediaTypes.OCI_INDEX);
        for (MockHub.Image image : new MockHub.Image[] {amd64, arm64}) {
            seedSignature(APP, image.digest(), RSA.signatureManifest(CosignSigner.payload(SIGNED_AS, image.digest())));
        }

        assertManifest(client.get("/v2/" + APP + "/manifests/each", "Accept", ACCEPT_ALL), index,
                MediaTypes.OCI_INDEX);
        assertManifest(client.get("/v2/" + APP + "/manifests/" + arm64.digest(), "Accept", ACCEPT_ALL),
                arm64.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals("verified", tagSignature("docker.io/myorg/app", "each").path("state").asText());
        HttpResponse<byte[]> r = client.get("/v2/" + APP + "/manifests/half", "Accept", ACCEPT_ALL);
        assertError(r, 403, "DENIED");
        assertEquals("docker.io/myorg/app@" + Digest.sha256(half) + " has no signature by a key that policy requires",
                RegistryAssertions.json(r).path("errors").path(0).path("message").asText());
    }

    @Test
    void warnModeServesTheImageLogsOnceAndCounts() {
        MockHub.Image image = hub.image("trying/app", "1.0", 14);
        try (LogCapture log = LogCapture.of(SignaturePolicy.class.getName())) {
            assertManifest(client.get("/v2/trying/app/manifests/1.0"), image.manifest(), MediaTypes.OCI_MANIFEST);
            assertManifest(client.get("/v2/trying/app/manifests/1.0"), image.manifest(), MediaTypes.OCI_MANIFEST);
            assertEquals(1, log.messages(Level.WARNING).stream()
                    .filter(m -> m.contains("docker.io/trying/app@" + image.digest() + " has no signature")).count(),
                    log::text);
        }
        Scrape metrics = Scrape.of(client);
        assertEquals(2, metrics.value("berth_policy_pulls_total", Map.of("result", "warned")), metrics::toString);
    }

    @Test
    void aVerifiedImageIsServedFromTheKeptDecisionWhileTheUpstreamIsDown() {
        MockHub.Image image = hub.image(APP, "1.0", 16);
        seedSignature(APP, image.digest(), ECDSA.signatureManifest(CosignSigner.payload(SIGNED_AS, image.digest())));
        assertManifest(client.get("/v2/" + APP + "/manifests/1.0"), image.manifest(), MediaTypes.OCI_MANIFEST);

        hub.outage(MockHub.status(503));
        clock.advance(TAG_TTL.plus(Duration.ofMinutes(1)));
        int asked = hub.requests();
        assertManifest(client.get("/v2/" + APP + "/manifests/1.0"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertManifest(client.get("/v2/" + APP + "/manifests/" + image.digest()), image.manifest(),
                MediaTypes.OCI_MANIFEST);
        assertTrue(hub.requests() > asked, "the stale tag was revalidated, and the upstream failed");
        assertEquals(1, hub.count("HEAD", manifestPath(APP, CosignSigner.signatureTag(image.digest()))),
                () -> "the signature was not read again: the decision stands; the hub was asked " + hub.log());
        Scrape metrics = Scrape.of(client);
        assertEquals(3, metrics.value("berth_policy_pulls_total", Map.of("result", "verified")), metrics::toString);
        assertEquals(0, metrics.value("berth_policy_pulls_total", Map.of("result", "refused")));
    }

    @Test
    void aVerifiedImageIsServedWhenTheUpstreamIsDownAfterARestart() throws InterruptedException {
        MockHub.Image image = hub.image(APP, "1.0", 15);
        seedSignature(APP, image.digest(), ECDSA.signatureManifest(CosignSigner.payload(SIGNED_AS, image.digest())));
        assertManifest(client.get("/v2/" + APP + "/manifests/1.0"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertBlob(client.get("/v2/" + APP + "/blobs/" + Digest.sha256(image.config())), image.config());
        awaitFillsStored(client);
        berth.close();

        // A new berth keeps no decision: it verifies again from what the first one cached, the upstream failing.
        hub.outage(MockHub.status(503));
        clock.advance(TAG_TTL.plus(Duration.ofMinutes(1)));
        berth = RunningBerth.start(root, mirrorYaml(), clock);
        client = berth.client();
        int asked = hub.requests();
        assertManifest(client.get("/v2/" + APP + "/manifests/1.0"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertTrue(hub.requests() > asked, "the upstream was asked and failed: the tag and signature served stale");
        assertBlob(client.get("/v2/" + APP + "/blobs/" + Digest.sha256(image.config())), image.config());
    }

    @Test
    void sigstoreBundlesVerifyAPrivateImage() {
        byte[] signedByMessage = client.pushImage("team/app", "message", TestData.utf8("{\"n\":1}"),
                TestData.bytes(100, 1));
        byte[] signedByEnvelope = client.pushImage("team/app", "dsse", TestData.utf8("{\"n\":2}"),
                TestData.bytes(100, 2));
        byte[] unsigned = client.pushImage("team/app", "none", TestData.utf8("{\"n\":3}"), TestData.bytes(100, 3));
        pushBundle("team/app", ECDSA.messageSignatureBundle(signedByMessage), signedByMessage);
        pushBundle("team/app", ED25519.dsseBundle(Digest.sha256(signedByEnvelope)), signedByEnvelope);

        assertManifest(client.get("/v2/team/app/manifests/message"), signedByMessage, MediaTypes.OCI_MANIFEST);
        assertManifest(client.get("/v2/team/app/manifests/dsse"), signedByEnvelope, MediaTypes.OCI_MANIFEST);
        HttpResponse<byte[]> r = client.get("/v2/team/app/manifests/none");
        assertError(r, 403, "DENIED");
        assertEquals("team/app@" + Digest.sha256(unsigned) + " has no signature by a key that policy requires",
                RegistryAssertions.json(r).path("errors").path(0).path("message").asText());
        assertEquals("ed25519.pub", tagSignature("team/app", "dsse").path("key").asText());
    }

    private CosignSigner.SignatureManifest seedSignature(String repository, Digest digest,
                                                        CosignSigner.SignatureManifest signature) {
        hub.blob(repository, signature.config());
        hub.blob(repository, signature.payload());
        hub.manifest(repository, CosignSigner.signatureTag(digest), signature.manifest(), MediaTypes.OCI_MANIFEST);
        return signature;
    }

    private void pushBundle(String repository, byte[] bundle, byte[] subject) {
        client.pushBlob(repository, TestData.utf8("{}"));
        client.pushBlob(repository, bundle);
        byte[] manifest = CosignSigner.bundleManifest(bundle, subject, MediaTypes.OCI_MANIFEST);
        HttpResponse<byte[]> r = client.putManifest(repository, Digest.sha256(manifest).toString(), manifest,
                MediaTypes.OCI_MANIFEST);
        assertEquals(201, r.statusCode(), () -> new String(r.body()));
    }

    private static byte[] artifact(String configType, byte[] config, String layerType, byte[] layer) {
        return TestData.utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + TestData.descriptor(configType, config) + ",\"layers\":[" + TestData.descriptor(layerType, layer)
                + "]}");
    }

    /** The signature state the admin API (the page's source) shows for a tag. */
    private JsonNode tagSignature(String repository, String tag) {
        HttpResponse<byte[]> r = client.get("/api/v1/repositories/" + repository + "/tags");
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        for (JsonNode node : RegistryAssertions.json(r).path("tags")) {
            if (node.path("tag").asText().equals(tag)) {
                return node.path("signature");
            }
        }
        throw new AssertionError("no tag " + tag + " in " + new String(r.body()));
    }
}
