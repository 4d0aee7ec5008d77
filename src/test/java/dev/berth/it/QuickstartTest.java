package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.ChildBerth;
import dev.berth.support.DistributionRegistry;
import dev.berth.support.ExternalCommand;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.OciLayoutBuilder.Image;
import dev.berth.support.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quickstart as written: berth with the shipped etc/berth.yaml (its Docker Hub upstream a Debian
 * docker-registry here, set by an environment override, and a free port for 5000), then every skopeo line of the
 * quickstart, and its daemon.json.
 */
class QuickstartTest {
    private static final Path BASE = Path.of(System.getProperty("basedir", "."));

    @TempDir
    Path work;

    private static String quickstart() throws Exception {
        String readme = Files.readString(BASE.resolve("README.md"));
        int start = readme.indexOf("## Quickstart");
        return readme.substring(start, readme.indexOf("\n## ", start + 1));
    }

    @Test
    void theQuickstartsCommandsWorkAsWritten() throws Exception {
        try (DistributionRegistry hub = DistributionRegistry.start(work.resolve("hub"))) {
            Path layout = work.resolve("busybox");
            OciLayoutBuilder builder = new OciLayoutBuilder(layout, 31);
            Image image = builder.image("amd64", 1, 64 * 1024);
            builder.tag("latest", image.manifest());
            Skopeo skopeo = Skopeo.find();
            skopeo.copy("oci:" + layout + ":latest", "docker://" + hub.hostPort() + "/library/busybox:latest",
                    "--dest-tls-verify=false");

            try (ChildBerth berth = ChildBerth.startWithFile(BASE.resolve("etc/berth.yaml"), Map.of(
                    "BERTH_SERVER_HOST", "127.0.0.1", "BERTH_SERVER_PORT", "0",
                    "BERTH_STORAGE_ROOT", work.resolve("data").toString(),
                    "BERTH_MIRROR_UPSTREAMS_0_URL", hub.url()))) {
                List<String> lines = commandLines(quickstart(), "skopeo ");
                assertEquals(3, lines.size(), "the quickstart's skopeo lines: " + lines);
                List<String> outputs = new ArrayList<>();
                for (String line : lines) {
                    List<String> args = new ArrayList<>(Arrays.asList(
                            line.replace("localhost:5000", "localhost:" + berth.port()).split(" +")));
                    args.removeFirst();
                    ExternalCommand.Result result = skopeo.run(args);
                    assertEquals(0, result.exitCode(), line + ": " + result.stderr() + "\n" + berth.output());
                    outputs.add(result.stdoutText());
                }
                assertTrue(outputs.get(0).contains(image.manifest().digest()), outputs.get(0));
                assertTrue(outputs.get(2).contains("\"1\""), outputs.get(2));
            }
        }
    }

    @Test
    void theQuickstartsDaemonJsonPointsDockerAtBerth() throws Exception {
        Matcher block = Pattern.compile("```json\n(.*?)```", Pattern.DOTALL).matcher(quickstart());
        assertTrue(block.find(), "no daemon.json in the quickstart");
        JsonNode daemon = new ObjectMapper().readTree(block.group(1));
        assertEquals("http://localhost:5000", daemon.path("registry-mirrors").path(0).asText());
        assertEquals("localhost:5000", daemon.path("insecure-registries").path(0).asText());
    }

    /** The commands starting with {@code prefix}, a line ending in a backslash joined with the next. */
    private static List<String> commandLines(String text, String prefix) {
        return Arrays.stream(text.replace("\\\n", " ").split("\n")).map(String::strip)
                .filter(line -> line.startsWith(prefix)).toList();
    }
}
