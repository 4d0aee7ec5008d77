package dev.berth.it;

import static dev.berth.support.RegistryAssertions.header;
import static dev.berth.support.RegistryAssertions.json;
import static dev.berth.support.RegistryAssertions.referrers;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.support.CosignAttachment;
import dev.berth.support.DistributionRegistry;
import dev.berth.support.ExternalCommand;
import dev.berth.support.RequestLog.Request;
import dev.berth.support.RunningBerth;
import dev.berth.support.SeedImage;
import dev.berth.support.Skopeo;
import dev.berth.support.TestClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The referrers of mirrored images with real clients and real upstreams: Debian's docker-registry, which has no
 * Referrers API, holding cosign's {@code .sig} and {@code .att} tags, which skopeo copies through berth as sigstore
 * attachments; and another berth, whose Referrers API the mirroring berth asks.
 */
class ReferrersThroughMirrorTest {
    private static final String SIG_TYPE = "application/vnd.dev.cosign.artifact.sig.v1+json";
    private static final String ATT_TYPE = "application/vnd.dev.cosign.artifact.att.v1+json";
    private static final String SBOM_TYPE = "application/spdx+json";
    private static final String TAG = "latest";

    @TempDir
    Path work;
    private final Skopeo skopeo = Skopeo.find();
    private DistributionRegistry upstream;
    private DistributionRegistry destination;
    private RunningBerth central;
    private RunningBerth berth;

    @AfterEach
    void stop() {
        for (AutoCloseable running : new AutoCloseable[] {berth, central, destination, upstream}) {
            try {
                if (running != null) {
                    running.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void cosignTagsOfADockerRegistryAreListedAsReferrersAndCopiedBySkopeoThroughBerth() throws IOException {
        upstream = DistributionRegistry.start(work.resolve("upstream"));
        SeedImage image = SeedImage.write(work.resolve("seed"), 31, 1, 4096, TAG);
        image.pushTo(upstream, "library/busybox", skopeo);
        Digest subject = Digest.parse(image.image().manifest().digest());
        TestClient upstreamClient = new TestClient(URI.create(upstream.url()));
        CosignAttachment sig = pushTagged(upstreamClient, CosignAttachment.signature(subject), subject, "sig");
        CosignAttachment att = pushTagged(upstreamClient, CosignAttachment.attestation(subject), subject, "att");
        startBerthMirroring(upstream.url());

        String path = "/v2/busybox/referrers/" + subject;
        Map<String, String> both = Map.of(sig.digest().toString(), SIG_TYPE, att.digest().toString(), ATT_TYPE);
        List<Request> seeded = upstream.requests();
        assertEquals(both, referrers(berth.client().get(path)));
        // Its Referrers API once, then the fallback tag and cosign's three; the manifests of those that exist.
        String upstreamPath = "/v2/library/busybox/";
        String fallbackTag = upstreamPath + "manifests/sha256-" + subject.hex();
        List<Request> expected = List.of(new Request("GET", upstreamPath + "referrers/" + subject, 404),
                new Request("HEAD", fallbackTag, 404), new Request("HEAD", fallbackTag + ".sig", 200),
                new Request("GET", upstreamPath + "manifests/" + sig.digest(), 200),
                new Request("HEAD", fallbackTag + ".att", 200),
                new Request("GET", upstreamPath + "manifests/" + att.digest(), 200),
                new Request("HEAD", fallbackTag + ".sbom", 404));
        List<Request> asked = upstream.requests();
        assertEquals(sorted(expected), sorted(asked.subList(seeded.size(), asked.size())), "what the upstream was asked");
        assertListedAndFiltered(path, both, att, ATT_TYPE);

        // The listed manifests come through the mirror by digest, as any client asks for them.
        assertArrayEquals(att.manifest(), skopeo.inspectRaw("docker://" + host(berth) + "/busybox@" + att.digest()));

        // skopeo, told to use sigstore attachments, reads the .sig tag beside the image through berth and writes it
        // beside the copy: the signature's payload and annotation arrive unchanged.
        destination = DistributionRegistry.start(work.resolve("destination"));
        copyWithSigstoreAttachments("docker://" + host(berth) + "/busybox:" + TAG,
                "docker://" + destination.hostPort() + "/copied:" + TAG);
        TestClient destinationClient = new TestClient(URI.create(destination.url()));
        HttpResponse<byte[]> copied = destinationClient.get("/v2/copied/manifests/" + CosignAttachment.tag(subject,
                "sig"), "Accept", MediaTypes.OCI_MANIFEST);
        assertEquals(200, copied.statusCode(), () -> "the signature was not copied: " + new String(copied.body()));
        JsonNode layer = json(copied).path("layers").path(0);
        assertEquals(Digest.sha256(sig.payload()).toString(), layer.path("digest").asText());
        assertEquals("MEUCIQDtest", layer.path("annotations").path("dev.cosignproject.cosign/signature").asText());

        upstream.close();
        assertEquals(both, referrers(berth.client().get(path)), "served stale while the upstream is down");
    }

    @Test
    void theReferrersApiOfAnUpstreamBerthIsAskedAndItsReferrersPulledThrough() throws IOException {
        // With no upstream of its own, every name at the central berth is private: pushed to.
        central = RunningBerth.start(work.resolve("central"), "");
        SeedImage image = SeedImage.write(work.resolve("seed"), 32, 1, 4096, TAG);
        skopeo.copy("oci:" + image.layout() + ":" + TAG, "docker://" + host(central) + "/team/app:" + TAG,
                "--preserve-digests");
        Digest subject = Digest.parse(image.image().manifest().digest());
        byte[] subjectManifest = skopeo.inspectRaw("docker://" + host(central) + "/team/app:" + TAG);
        CosignAttachment sbom = CosignAttachment.referrer(subject, subjectManifest.length, SBOM_TYPE);
        CosignAttachment signature = CosignAttachment.referrer(subject, subjectManifest.length, SIG_TYPE);
        for (CosignAttachment referrer : List.of(sbom, signature)) {
            central.client().pushBlob("team/app", referrer.config());
            central.client().pushBlob("team/app", referrer.payload());
            HttpResponse<byte[]> pushed = central.client().putManifest("team/app", referrer.digest().toString(),
                    referrer.manifest(), MediaTypes.OCI_MANIFEST);
            assertEquals(201, pushed.statusCode(), () -> new String(pushed.body()));
        }
        // The central berth keeps no fallback tags: what the mirror lists can only come from its Referrers API.
        startBerthMirroring("http://" + host(central));

        String path = "/v2/team/app/referrers/" + subject;
        Map<String, String> both = Map.of(sbom.digest().toString(), SBOM_TYPE, signature.digest().toString(), SIG_TYPE);
        assertListedAndFiltered(path, both, sbom, SBOM_TYPE);

        // skopeo pulls the image and the SBOM referrer through the mirror.
        Path out = work.resolve("out");
        skopeo.copy("docker://" + host(berth) + "/team/app:" + TAG, "oci:" + out + ":" + TAG, "--preserve-digests");
        image.assertPulled(out);
        assertArrayEquals(sbom.manifest(),
                skopeo.inspectRaw("docker://" + host(berth) + "/team/app@" + sbom.digest()));
        assertArrayEquals(sbom.payload(), berth.client().get("/v2/team/app/blobs/" + Digest.sha256(sbom.payload()))
                .body());

        central.close();
        central = null;
        assertEquals(both, referrers(berth.client().get(path)), "served stale while the upstream berth is down");
    }

    /** A berth mirroring docker.io from {@code url} with a TTL of zero, so a listing asked again is served stale. */
    private void startBerthMirroring(String url) {
        berth = RunningBerth.start(work.resolve("berth"), """
                mirror:
                  upstreams:
                    - {registry: docker.io, url: '%s', default: true, tag-ttl: 0s}
                """.formatted(url));
    }

    /** berth lists {@code all} at {@code path}, and only {@code one} when asked for its {@code artifactType}. */
    private void assertListedAndFiltered(String path, Map<String, String> all, CosignAttachment one,
                                         String artifactType) {
        HttpResponse<byte[]> listed = berth.client().get(path);
        assertEquals(all, referrers(listed));
        assertEquals("", header(listed, "OCI-Filters-Applied"));
        HttpResponse<byte[]> filtered = berth.client().get(path + "?artifactType="
                + URLEncoder.encode(artifactType, StandardCharsets.UTF_8));
        assertEquals("artifactType", header(filtered, "OCI-Filters-Applied"));
        assertEquals(Map.of(one.digest().toString(), artifactType), referrers(filtered));
    }

    private static CosignAttachment pushTagged(TestClient registry, CosignAttachment attachment, Digest subject,
                                               String suffix) {
        // docker-registry takes no single-POST upload: the streamed one.
        registry.pushBlob("library/busybox", new ByteArrayInputStream(attachment.config()));
        registry.pushBlob("library/busybox", new ByteArrayInputStream(attachment.payload()));
        HttpResponse<byte[]> pushed = registry.putManifest("library/busybox", CosignAttachment.tag(subject, suffix),
                attachment.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(201, pushed.statusCode(), () -> new String(pushed.body()));
        return attachment;
    }

    /** {@code skopeo copy} with a registries.d that tells it to read and write cosign's tags beside each image. */
    private void copyWithSigstoreAttachments(String source, String destination) throws IOException {
        Path registriesD = Files.createDirectories(work.resolve("registries.d"));
        Files.writeString(registriesD.resolve("default.yaml"), "default-docker:\n  use-sigstore-attachments: true\n");
        ExternalCommand.Result result = skopeo.run(List.of("--registries.d", registriesD.toString(), "copy",
                "--src-tls-verify=false", "--dest-tls-verify=false", "--preserve-digests", source, destination));
        assertEquals(0, result.exitCode(), result::stderr);
    }

    private static List<Request> sorted(List<Request> requests) {
        return requests.stream().sorted(Comparator.comparing(Request::path).thenComparing(Request::method)).toList();
    }

    private static String host(RunningBerth berth) {
        return "127.0.0.1:" + berth.port();
    }
}
