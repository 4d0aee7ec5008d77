package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.berth.support.ExternalCommand;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.RunningBerth;
import dev.berth.support.Skopeo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** skopeo logged in to berth with {@code auth.htpasswd}: the token scopes it asks for grant what the rules allow. */
class SkopeoLoginTest {
    @TempDir
    Path work;

    @Test
    void skopeoDeletesWithTheStarScopeItAsksFor() throws IOException {
        Skopeo skopeo = Skopeo.find().loggedInAs("alice", "wonderland");
        Path htpasswd = work.resolve("htpasswd");
        Files.writeString(htpasswd, "alice:" + BCrypt.with(BCrypt.Version.VERSION_2Y)
                .hashToString(4, "wonderland".toCharArray()) + "\n");
        Path input = work.resolve("input");
        OciLayoutBuilder layout = new OciLayoutBuilder(input, 7);
        layout.tag("1", layout.image("amd64", 1, 1000).manifest());
        try (RunningBerth berth = RunningBerth.start(work.resolve("data"), "auth: {htpasswd: '" + htpasswd + "'}\n")) {
            String ref = "docker://127.0.0.1:" + berth.port() + "/team/gone:1";
            skopeo.copy("oci:" + input + ":1", ref, "--preserve-digests");
            // skopeo delete asks the token endpoint for repository:team/gone:*, which must grant alice's delete.
            skopeo.delete(ref);
            ExternalCommand.Result gone = skopeo.tryInspect(ref);
            assertNotEquals(0, gone.exitCode());
            assertTrue(gone.stderr().contains("manifest unknown"), gone.stderr());
        }
    }
}
