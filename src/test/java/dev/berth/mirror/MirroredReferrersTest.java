package dev.berth.mirror;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static dev.berth.support.RegistryAssertions.json;
import static dev.berth.support.RegistryAssertions.referrers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.support.CosignAttachment;
import dev.berth.support.MockHub;
import dev.berth.support.TestData;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * The referrers of a mirrored image, against a hub that has no Referrers API unless a test gives it one: the fallback
 * tag and cosign's tags listed as the spec's index, filtered by artifact type; the listing cached for the tag TTL and
 * served stale while the hub fails; the Referrers API's pages followed; hostile listings refused.
 */
class MirroredReferrersTest extends MirrorTestBase {
    private static final String SIG_TYPE = "application/vnd.dev.cosign.artifact.sig.v1+json";
    private static final String ATT_TYPE = "application/vnd.dev.cosign.artifact.att.v1+json";
    private static final String SPDX = "application/spdx+json";

    @Override
    protected String mirrorYaml() {
        return "mirror:\n  upstreams:\n" + upstream("docker.io", hub.url(), true, "max-document-size: 64KiB, ");
    }

    @Test
    void fallbackAndCosignTagsAreListedAsTheSpecsIndexAndPulledThrough() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 1);
        CosignAttachment sig = tagged(CosignAttachment.signature(image.digest()), image.digest(), "sig");
        CosignAttachment att = tagged(CosignAttachment.attestation(image.digest()), image.digest(), "att");
        CosignAttachment sbom = CosignAttachment.referrer(image.digest(), image.manifest().length, SPDX);
        hub.manifest(BUSYBOX, "sha256-" + image.digest().hex(), TestData.utf8("{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"digest\":\"" + sbom.digest() + "\",\"size\":" + sbom.manifest().length + ",\"artifactType\":\""
                + SPDX + "\"}]}"), MediaTypes.OCI_INDEX);

        HttpResponse<byte[]> r = client.get(referrersPath(image.digest()));
        assertEquals(Map.of(sbom.digest().toString(), SPDX, sig.digest().toString(), SIG_TYPE,
                att.digest().toString(), ATT_TYPE), referrers(r));
        assertEquals("", header(r, "OCI-Filters-Applied"), "nothing was filtered");
        JsonNode index = json(r);
        assertEquals(sig.manifest().length, sizeOf(index, sig.digest()));
        assertEquals(1, hub.served("GET", referrersPath(image.digest())), "the hub's Referrers API was asked first");

        HttpResponse<byte[]> signatures = client.get(referrersPath(image.digest()) + "?artifactType=" + encoded(SIG_TYPE));
        assertEquals("artifactType", header(signatures, "OCI-Filters-Applied"));
        assertEquals(Map.of(sig.digest().toString(), SIG_TYPE), referrers(signatures));

        // The signature's manifest and payload come through the mirror like any other content.
        assertManifest(client.get(MockHub.manifestPath(BUSYBOX, sig.digest().toString())), sig.manifest(),
                MediaTypes.OCI_MANIFEST);
        assertBlob(client.get(MockHub.blobPath(BUSYBOX, sig.payload())), sig.payload());
    }

    @Test
    void listingIsFreshForTheTagTtlThenRevalidatedAndServedStaleWhileTheHubFails() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 2);
        CosignAttachment sig = tagged(CosignAttachment.signature(image.digest()), image.digest(), "sig");
        assertEquals(Map.of(sig.digest().toString(), SIG_TYPE), referrers(client.get(referrersPath(image.digest()))));

        CosignAttachment att = tagged(CosignAttachment.attestation(image.digest()), image.digest(), "att");
        int asked = hub.requests();
        assertEquals(Map.of(sig.digest().toString(), SIG_TYPE), referrers(client.get(referrersPath(image.digest()))),
                "within the TTL the cached listing is served");
        assertEquals(asked, hub.requests(), "and the hub is not asked");

        clock.advance(TAG_TTL.plusSeconds(1));
        Map<String, String> both = Map.of(sig.digest().toString(), SIG_TYPE, att.digest().toString(), ATT_TYPE);
        assertEquals(both, referrers(client.get(referrersPath(image.digest()))), "revalidated after it");

        hub.outage(MockHub.status(503));
        clock.advance(TAG_TTL.plusSeconds(1));
        HttpResponse<byte[]> stale = client.get(referrersPath(image.digest()));
        assertEquals(both, referrers(stale), "served stale while the hub fails");
    }

    @Test
    void nothingKnownWithTheHubDownIsAnErrorNotAnEmptyListing() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 3);
        hub.outage(MockHub.status(503));
        HttpResponse<byte[]> r = client.get(referrersPath(image.digest()));
        assertError(r, 503, "UNAVAILABLE");
        assertFalse(header(r, "Retry-After").isEmpty());
    }

    @Test
    void noReferrersIsKeptForAnImageBerthHoldsNotForAnyDigestAClientNames() {
        MockHub.Image held = hub.image(BUSYBOX, "held", 7);
        MockHub.Image named = hub.image(BUSYBOX, "named", 8);
        assertEquals(200, client.get(MockHub.manifestPath(BUSYBOX, held.digest().toString())).statusCode());
        assertEquals(Map.of(), referrers(client.get(referrersPath(held.digest()))));
        assertEquals(Map.of(), referrers(client.get(referrersPath(named.digest()))));
        int asked = hub.requests();
        assertEquals(Map.of(), referrers(client.get(referrersPath(named.digest()))));
        assertEquals(asked, hub.requests(), "asked again within negative-ttl, the hub's 404s are remembered");

        hub.outage(MockHub.status(503));
        clock.advance(TAG_TTL.plusSeconds(1));
        assertEquals(Map.of(), referrers(client.get(referrersPath(held.digest()))), "stale for the image berth holds");
        assertError(client.get(referrersPath(named.digest())), 503, "UNAVAILABLE");
    }

    @Test
    void theReferrersApiIsUsedWhereTheUpstreamHasOneAndItsPagesFollowed() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 4);
        CosignAttachment first = CosignAttachment.referrer(image.digest(), image.manifest().length, SIG_TYPE);
        CosignAttachment second = CosignAttachment.referrer(image.digest(), image.manifest().length, SPDX);
        String path = referrersPath(image.digest());
        hub.override("GET", path, () -> page(first, SIG_TYPE)
                .addHeader("Link", "<" + path + "?n=1&last=a>; rel=\"next\"").build());
        hub.override("GET", path, () -> page(second, SPDX).build());

        assertEquals(Map.of(first.digest().toString(), SIG_TYPE, second.digest().toString(), SPDX),
                referrers(client.get(path)));
        assertEquals(0, hub.count("HEAD", MockHub.manifestPath(BUSYBOX, CosignAttachment.tag(image.digest(), "sig"))),
                "no fallback tag is asked for where the Referrers API answers");
        assertEquals(Map.of(second.digest().toString(), SPDX),
                referrers(client.get(path + "?artifactType=" + encoded(SPDX))), "filtered from the cached listing");
    }

    @Test
    void anAnswerThatIsNotAnOciIndexMeansTheUpstreamHasNoReferrersApi() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 6);
        CosignAttachment sig = tagged(CosignAttachment.signature(image.digest()), image.digest(), "sig");
        // As a registry whose catch-all route answers every unknown path with a page.
        hub.override("GET", referrersPath(image.digest()), () -> new MockResponse.Builder()
                .setHeader("Content-Type", "text/html").body("<html>welcome</html>").build());
        assertEquals(Map.of(sig.digest().toString(), SIG_TYPE), referrers(client.get(referrersPath(image.digest()))),
                "listed from the .sig tag");
    }

    @Test
    void anOversizedOrMalformedListingIsRefused() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 5);
        String path = referrersPath(image.digest());
        String huge = "x".repeat(100 * 1024);
        hub.override("GET", path, () -> new MockResponse.Builder().setHeader("Content-Type", MediaTypes.OCI_INDEX)
                .body("{\"schemaVersion\":2,\"manifests\":[],\"annotations\":{\"a\":\"" + huge + "\"}}").build());
        HttpResponse<byte[]> tooLarge = client.get(path);
        assertError(tooLarge, 502, "UNAVAILABLE");
        assertTrue(json(tooLarge).path("errors").path(0).path("message").asText().contains("max-document-size"),
                () -> new String(tooLarge.body()));

        hub.override("GET", path, () -> new MockResponse.Builder().setHeader("Content-Type", MediaTypes.OCI_INDEX)
                .body("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:nothex\"}]}").build());
        HttpResponse<byte[]> malformed = client.get(path);
        assertError(malformed, 503, "UNAVAILABLE");
        assertEquals(200, client.get("/v2/").statusCode(), "berth serves on");
    }

    @Test
    void aBadSubjectDigestIsAnOciErrorAndTheHubIsNotAsked() {
        int asked = hub.requests();
        assertError(client.get("/v2/" + BUSYBOX + "/referrers/sha256:nothex"), 400, "DIGEST_INVALID");
        assertError(client.get("/v2/" + BUSYBOX + "/referrers/latest"), 400, "DIGEST_INVALID");
        assertEquals(asked, hub.requests());
    }

    private CosignAttachment tagged(CosignAttachment attachment, Digest subject, String suffix) {
        hub.blob(BUSYBOX, attachment.config());
        hub.blob(BUSYBOX, attachment.payload());
        hub.manifest(BUSYBOX, CosignAttachment.tag(subject, suffix), attachment.manifest(), MediaTypes.OCI_MANIFEST);
        return attachment;
    }

    private static MockResponse.Builder page(CosignAttachment referrer, String artifactType) {
        return new MockResponse.Builder().setHeader("Content-Type", MediaTypes.OCI_INDEX)
                .body("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                        + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + referrer.digest() + "\",\"size\":"
                        + referrer.manifest().length + ",\"artifactType\":\"" + artifactType + "\"}]}");
    }

    /** As clients send a query value: a media type's {@code +} would otherwise read as a space. */
    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String referrersPath(Digest subject) {
        return "/v2/" + BUSYBOX + "/referrers/" + subject;
    }

    private static long sizeOf(JsonNode index, Digest digest) {
        for (JsonNode d : index.path("manifests")) {
            if (d.path("digest").asText().equals(digest.toString())) {
                return d.path("size").asLong();
            }
        }
        return -1;
    }
}
