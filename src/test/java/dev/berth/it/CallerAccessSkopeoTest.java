package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.DistributionRegistry;
import dev.berth.support.ExternalCommand;
import dev.berth.support.Htpasswd;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.RequestLog;
import dev.berth.support.RunningBerth;
import dev.berth.support.Skopeo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code access: caller} with real parts: a docker-registry behind its own logins (htpasswd) mirrored by berth with
 * berth's login there, and skopeo pulling through berth as different users, each logged in to berth with their own
 * login at the registry (or one of berth's accounts).
 */
class CallerAccessSkopeoTest {
    private static final String CAROL_PASSWORD = "carol-at-the-registry";
    private static final String BOT_PASSWORD = "berth-bot-password";

    @TempDir
    Path work;

    @Test
    void onlyALoginTheRegistryTakesPullsWhatBerthCachedOfIt() throws IOException {
        Path upstreamLogins = Files.writeString(work.resolve("upstream.htpasswd"),
                Htpasswd.line("berth-bot", BOT_PASSWORD) + Htpasswd.line("carol", CAROL_PASSWORD));
        Path berthLogins = Htpasswd.aliceAndBob(work.resolve("berth.htpasswd"));
        Path input = work.resolve("input");
        OciLayoutBuilder layout = new OciLayoutBuilder(input, 11);
        OciLayoutBuilder.Image image = layout.image("amd64", 2, 4000);
        layout.tag("1", image.manifest());

        try (DistributionRegistry upstream = DistributionRegistry.startWithLogins(work.resolve("upstream"),
                upstreamLogins)) {
            Skopeo.find().loggedInAs("berth-bot", BOT_PASSWORD).copy("oci:" + input + ":1",
                    "docker://" + upstream.hostPort() + "/org/app:1", "--preserve-digests");
            String yaml = "mirror:\n  upstreams:\n    - {registry: private.example, url: '" + upstream.url()
                    + "', username: berth-bot, password: " + BOT_PASSWORD + ", access: caller}\n"
                    + "auth: {htpasswd: '" + berthLogins + "'}\n";
            try (RunningBerth berth = RunningBerth.start(work.resolve("data"), yaml)) {
                String ref = "docker://127.0.0.1:" + berth.port() + "/private.example/org/app:1";
                int before = upstream.requests().size();

                // carol's login is the registry's: she pulls, byte for byte, and again from berth's copy.
                Skopeo carol = Skopeo.find().loggedInAs("carol", CAROL_PASSWORD);
                Path pulled = work.resolve("pulled");
                carol.copy(ref, "oci:" + pulled + ":1", "--preserve-digests");
                assertArrayEquals(Files.readAllBytes(layout.blobPath(image.manifest())),
                        Files.readAllBytes(OciLayoutBuilder.blobPath(pulled, image.manifest())));
                for (OciLayoutBuilder.Blob blob : image.blobs()) {
                    assertArrayEquals(Files.readAllBytes(layout.blobPath(blob)),
                            Files.readAllBytes(OciLayoutBuilder.blobPath(pulled, blob)), blob.digest());
                }
                carol.copy(ref, "oci:" + work.resolve("again") + ":1");

                // dave has no login there, alice is berth's own account, and anonymous callers have neither.
                ExternalCommand.Result dave = Skopeo.find().loggedInAs("dave", "guess").tryInspect(ref);
                assertNotEquals(0, dave.exitCode());
                assertTrue(dave.stderr().contains("private.example refused the login of dave"), dave.stderr());
                ExternalCommand.Result alice = Skopeo.find().loggedInAs("alice", Htpasswd.ALICE_PASSWORD)
                        .tryInspect(ref);
                assertNotEquals(0, alice.exitCode());
                assertTrue(alice.stderr().contains("log in to berth with your own private.example user name"),
                        alice.stderr());
                ExternalCommand.Result anonymous = Skopeo.find().tryInspect(ref);
                assertNotEquals(0, anonymous.exitCode());
                assertTrue(anonymous.stderr().contains("log in to berth with your own private.example user name"),
                        anonymous.stderr());

                // The registry served each blob once (berth's one fetch); carol's login only read a tag page.
                List<RequestLog.Request> all = upstream.requests();
                List<RequestLog.Request> asked = all.subList(before, all.size());
                for (OciLayoutBuilder.Blob blob : image.blobs()) {
                    assertEquals(1, asked.stream().filter(r -> r.method().equals("GET") && r.status() == 200
                            && r.path().equals("/v2/org/app/blobs/" + blob.digest())).count(), asked::toString);
                }
                assertTrue(asked.stream().anyMatch(r -> r.path().equals("/v2/org/app/tags/list?n=1")
                        && r.status() == 200), asked::toString);
            }
        }
    }
}
