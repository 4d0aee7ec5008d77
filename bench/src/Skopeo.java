import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Pulls an image with skopeo, as a user would: {@code skopeo copy docker://... dir:...}, which fetches the manifest,
 * then the config and layers in parallel, each checked against its digest, and writes them to disk.
 */
final class Skopeo {
    private static final long TIMEOUT_SECONDS = 300;

    private final Path scratch;

    /** Pulls into directories under {@code scratch}, each deleted after its pull. */
    Skopeo(Path scratch) {
        this.scratch = scratch;
    }

    /** Pulls {@code repository:tag} from the registry at {@code base}; the seconds from start to exit. */
    double pull(URI base, String repository, String tag) throws IOException, InterruptedException {
        Files.createDirectories(scratch);
        Path into = Files.createTempDirectory(scratch, "pull");
        Path output = scratch.resolve(into.getFileName() + ".log");
        try {
            List<String> command = List.of("skopeo", "copy", "--quiet", "--src-tls-verify=false",
                    "docker://" + base.getHost() + ":" + base.getPort() + "/" + repository + ":" + tag,
                    "dir:" + into);
            long start = System.nanoTime();
            Process skopeo = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            if (!skopeo.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                skopeo.destroyForcibly();
                throw new IllegalStateException("skopeo did not finish in " + TIMEOUT_SECONDS + " s: " + command);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (skopeo.exitValue() != 0) {
                throw new IllegalStateException("skopeo exited with " + skopeo.exitValue() + ": "
                        + Files.readString(output, StandardCharsets.UTF_8).strip());
            }
            return seconds;
        } finally {
            delete(into);
            Files.deleteIfExists(output);
        }
    }

    /** Deletes a directory and everything in it. */
    static void delete(Path tree) throws IOException {
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
