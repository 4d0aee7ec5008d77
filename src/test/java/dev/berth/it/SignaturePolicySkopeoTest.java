package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.support.CosignSigner;
import dev.berth.support.ExternalCommand;
import dev.berth.support.RunningBerth;
import dev.berth.support.SeededRegistry;
import dev.berth.support.TestClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo pulling through berth in enforce mode, with Debian's docker-registry as Docker Hub holding one image in two
 * repositories: signed as cosign signs it (its {@code .sig} tag pushed to the upstream) in one, unsigned in the other.
 */
class SignaturePolicySkopeoTest {
    private static final String TAG = "1.0";

    @RegisterExtension
    static final SeededRegistry upstream = SeededRegistry.image(24, 2, 64 * 1024, "myorg/app", TAG)
            .push(TAG, "myorg/unsigned:" + TAG);

    @TempDir
    Path work;
    private RunningBerth berth;

    @AfterEach
    void stop() {
        if (berth != null) {
            berth.close();
        }
    }

    @Test
    void aSignedImageIsPulledAndAnUnsignedOneRefusedWithTheMessageSkopeoPrints() throws IOException {
        CosignSigner signer = CosignSigner.ecdsa();
        Digest digest = Digest.parse(upstream.image().manifest().digest());
        // As `cosign sign --key cosign.key <upstream>/myorg/app@<digest>` pushes it, naming the upstream's address.
        CosignSigner.SignatureManifest signature = signer.signatureManifest(
                CosignSigner.payload(upstream.registry().hostPort() + "/myorg/app", digest));
        signAtUpstream("myorg/app", signature, digest);
        Path key = signer.writePublicKey(work.resolve("cosign.pub"));
        berth = RunningBerth.start(work.resolve("berth"), """
                mirror:
                  upstreams:
                    - {registry: docker.io, url: '%s', default: true}
                policy:
                  - repositories: ['docker.io/myorg/*']
                    require: signature
                    keys: ['%s']
                    mode: enforce
                """.formatted(upstream.registry().url(), key));
        String host = "127.0.0.1:" + berth.port();

        Path signed = work.resolve("signed");
        upstream.skopeo().copy("docker://" + host + "/myorg/app:" + TAG, "oci:" + signed + ":" + TAG,
                "--preserve-digests");
        upstream.assertPulled(signed);
        // What `cosign verify` reads through berth: the signature manifest, served as it is.
        assertArrayEquals(signature.manifest(), upstream.skopeo().inspectRaw(
                "docker://" + host + "/myorg/app:" + CosignSigner.signatureTag(digest)));

        Path unsigned = work.resolve("unsigned");
        ExternalCommand.Result refused = upstream.skopeo().run(List.of("copy", "--src-tls-verify=false",
                "docker://" + host + "/myorg/unsigned:" + TAG, "oci:" + unsigned + ":" + TAG));
        assertNotEquals(0, refused.exitCode(), refused::stderr);
        assertTrue(refused.stderr().contains("docker.io/myorg/unsigned@" + digest
                + " has no signature by a key that policy requires"), refused::stderr);
        assertFalse(Files.exists(unsigned.resolve("index.json")), "nothing of the refused image was written");
    }

    private void signAtUpstream(String repository, CosignSigner.SignatureManifest signature, Digest digest) {
        TestClient client = new TestClient(URI.create(upstream.registry().url()));
        client.pushBlob(repository, new ByteArrayInputStream(signature.config()));
        client.pushBlob(repository, new ByteArrayInputStream(signature.payload()));
        HttpResponse<byte[]> r = client.putManifest(repository, CosignSigner.signatureTag(digest),
                signature.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(201, r.statusCode(), () -> new String(r.body()));
    }
}
