package dev.berth.it;

import static dev.berth.support.OciLayoutAssertions.refDigest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.ExternalCommand;
import dev.berth.support.Htpasswd;
import dev.berth.support.OciLayoutAssertions;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.OciLayoutBuilder.Image;
import dev.berth.support.RunningBerth;
import dev.berth.support.Skopeo;
import dev.berth.support.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo pushes and pulls a private image through berth over HTTPS, logged in, verifying berth's certificate against
 * the test CA; without credentials it is refused.
 */
class SkopeoHttpsTest {
    private static final int MIB = 1024 * 1024;
    private static final String USER = "ci-bot";
    private static final String PASSWORD = "s3cret-over-tls";

    @TempDir
    static Path work;

    private static Skopeo skopeo;
    private static TestCertificates certs;
    private static Path input;
    private static Image image;
    private static RunningBerth berth;

    @BeforeAll
    static void setUp() {
        skopeo = Skopeo.find();
        certs = TestCertificates.create(work.resolve("certs"), TestCertificates.KeyType.RSA);
        input = work.resolve("input");
        OciLayoutBuilder layout = new OciLayoutBuilder(input, 43);
        image = layout.image("amd64", 2, 2 * MIB);
        layout.tag("1", image.manifest());
        Path htpasswd = work.resolve("htpasswd");
        Htpasswd.run("-B", "-b", "-c", htpasswd.toString(), USER, PASSWORD);
        berth = RunningBerth.startHttps(work.resolve("berth"), certs, certs.key(),
                "auth: {htpasswd: '" + htpasswd + "'}\n");
    }

    @AfterAll
    static void tearDown() {
        if (berth != null) {
            berth.close();
        }
    }

    @Test
    void imagePushedOverHttpsComesBackWithTheSameBytes() throws IOException {
        Skopeo https = skopeo.trusting(certs.certDir()).loggedInAs(USER, PASSWORD);
        String ref = "docker://localhost:" + berth.port() + "/team/app:1";
        https.copy("oci:" + input + ":1", ref, "--preserve-digests");
        byte[] manifest = Files.readAllBytes(OciLayoutBuilder.blobPath(input, image.manifest()));
        assertArrayEquals(manifest, https.inspectRaw(ref));

        Path output = work.resolve("output");
        https.copy(ref, "oci:" + output + ":1", "--preserve-digests");
        assertEquals(image.manifest().digest(), refDigest(output, "1"));
        OciLayoutAssertions.assertSameBlobs(input, output, image);
    }

    @Test
    void withoutCredentialsPushAndPullAreRefused() throws IOException {
        Skopeo https = skopeo.trusting(certs.certDir());
        String ref = "docker://localhost:" + berth.port() + "/team/refused:1";
        skopeo.trusting(certs.certDir()).loggedInAs(USER, PASSWORD).copy("oci:" + input + ":1", ref);

        ExternalCommand.Result push = https.run(List.of("copy", "--dest-cert-dir=" + certs.certDir(),
                "oci:" + input + ":1", "docker://localhost:" + berth.port() + "/team/other:1"));
        assertNotEquals(0, push.exitCode());
        assertTrue(push.stderr().contains("authentication required"), push.stderr());
        ExternalCommand.Result pull = https.tryInspect(ref);
        assertNotEquals(0, pull.exitCode());
        assertTrue(pull.stderr().contains("authentication required"), pull.stderr());
        ExternalCommand.Result wrong = skopeo.trusting(certs.certDir()).loggedInAs(USER, "guess").tryInspect(ref);
        assertNotEquals(0, wrong.exitCode());
        assertTrue(wrong.stderr().contains("authentication required"), wrong.stderr());
        assertTrue(!wrong.stderr().contains("guess"), "the password is not echoed back");
    }

    @Test
    void withoutTheCaSkopeoRefusesBerthsCertificate() {
        String image = "docker://localhost:" + berth.port() + "/team/x:1";
        ExternalCommand.Result result = skopeo.run(List.of("inspect", image));
        assertNotEquals(0, result.exitCode());
        assertTrue(result.stderr().contains("certificate signed by unknown authority"), result.stderr());
    }
}
