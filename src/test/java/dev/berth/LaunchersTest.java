package dev.berth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the three ways of starting berth promise a supervisor: the JVM exits non-zero when memory runs out (rather than
 * run on with threads that died of it), and the systemd unit restarts berth after any exit but a stop and a bad
 * configuration. And that each passes the ahead-of-time cache to the JVM only when it is there and made by that java
 * (another JDK 25 build refuses it with warnings, a JDK before 25 would not start): run with a java that writes down
 * the options it was given.
 */
class LaunchersTest {
    private static final String JDK_25 = "25.0.3+9-LTS";
    private static final Instant NOW = Instant.now();

    @TempDir
    Path dir;

    @Test
    void everyLauncherExitsTheJvmOnOutOfMemory() throws IOException {
        for (String launcher : List.of("berth", "image/berth", "systemd/berth.service")) {
            List<String> java = Files.readAllLines(Path.of(launcher)).stream()
                    .filter(line -> line.contains("exec ") && line.contains("-jar "))
                    .toList();
            assertEquals(1, java.size(), launcher + ": one line starts the JVM");
            assertTrue(java.getFirst().contains("-Xmx128m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"),
                    launcher + ": " + java.getFirst());
        }
    }

    @Test
    void theUnitRestartsAfterAnyExitButAStopAndABadConfiguration() throws IOException {
        List<String> unit = Files.readAllLines(Path.of("systemd/berth.service"));
        assertTrue(unit.contains("Restart=always"), "exit 0 and exit 3 (out of memory) are restarted too");
        assertTrue(unit.contains("RestartPreventExitStatus=2"), "a bad configuration is not");
        assertTrue(unit.contains("SuccessExitStatus=143"), "SIGTERM's exit is a clean stop");
    }

    @Test
    void berthPassesTheCacheMadeByItsJavaFromItsJar() throws Exception {
        Path java = fakeJdk("jdk-25", JDK_25);
        Path home = checkout();
        Path cache = home.resolve("target/berth.aot");
        cache(cache, stamp(java, home.resolve("target/berth.jar")));

        List<String> options = berth(home, java, Map.of());

        assertTrue(options.contains("-XX:AOTCache=" + cache), options.toString());
        assertTrue(options.indexOf("-XX:AOTCache=" + cache) < options.indexOf("-jar"), "a JVM option: " + options);
    }

    @Test
    void berthStartsWithoutACacheThatIsMissingOffOrNotForThisJavaOrJar() throws Exception {
        Path java = fakeJdk("jdk-25", JDK_25);
        Path home = checkout();
        Path cache = home.resolve("target/berth.aot");
        Path jar = home.resolve("target/berth.jar");

        assertNoCache(berth(home, java, Map.of()), "none made (a JDK before 25 built it, or BERTH_AOT=off)");
        cache(cache, stamp(java, jar).replace(JDK_25, "25.0.2+10-LTS"));
        assertNoCache(berth(home, java, Map.of()), "made by another build of JDK 25");
        cache(cache, stamp(java, jar));
        assertNoCache(berth(home, java, Map.of("BERTH_AOT", "off")), "turned off");
        Path java21 = fakeJdk("jdk-21", "21.0.5+11-LTS");
        assertNoCache(berth(home, java21, Map.of()), "a JDK 21, which does not know the option");
        Files.writeString(home.resolve("target/libs/lib.jar"), "a library of another version");
        age(home.resolve("target/libs/lib.jar"), 30);
        assertNoCache(berth(home, java, Map.of()), "its libraries changed since");
        cache(cache, stamp(java, jar));
        age(jar, 20);
        assertNoCache(berth(home, java, Map.of()), "the jar built again (JDK 25.0.3 would run the cache's classes)");
    }

    @Test
    void theUnitPassesTheCacheInstallShMadeForItsJavaOnly() throws Exception {
        Path java = fakeJdk("jdk-25", JDK_25);
        Path app = dir.resolve("opt/berth");
        Files.createDirectories(app.resolve("libs"));
        Files.writeString(app.resolve("berth.jar"), "jar");
        Files.copy(Path.of("bin/aot-stamp"), app.resolve("aot-stamp"));
        Path cache = app.resolve("berth.aot");
        // The unit's command line, as systemd hands it to sh: continued lines joined, "$$" a "$".
        String unit = Files.readString(Path.of("systemd/berth.service")).replace("\\\n", " ");
        String command = unit.lines().filter(line -> line.startsWith("ExecStart=/bin/sh -c '")).findFirst()
                .orElseThrow();
        String script = command.substring(command.indexOf('\'') + 1, command.lastIndexOf('\''))
                .replace("$$", "$").replace("/opt/berth/", app + "/");

        assertNoCache(run(List.of("sh", "-c", script), java, Map.of("JAVA", java.toString())), "none installed");
        cache(cache, stamp(java, app.resolve("berth.jar")));
        assertTrue(run(List.of("sh", "-c", script), java, Map.of("JAVA", java.toString()))
                .contains("-XX:AOTCache=" + cache), "made for the unit's java");
        Path java21 = fakeJdk("jdk-21", "21.0.5+11-LTS");
        assertNoCache(run(List.of("sh", "-c", script), java21, Map.of("JAVA", java21.toString())),
                "JAVA changed to a JDK 21 after install.sh made it");
        assertNoCache(run(List.of("sh", "-c", script), java, Map.of("JAVA", java.toString(), "BERTH_AOT", "off")),
                "turned off");
        age(app.resolve("berth.jar"), 20);
        assertNoCache(run(List.of("sh", "-c", script), java, Map.of("JAVA", java.toString())),
                "another jar installed without install.sh");
    }

    @Test
    void theImagePassesItsCacheWhenTheBuildMadeOne() throws Exception {
        Path java = fakeJdk("java", JDK_25);
        Path app = dir.resolve("opt/berth");
        Files.createDirectories(app);
        Path entry = dir.resolve("entry");
        Files.writeString(entry, Files.readString(Path.of("image/berth")).replace("/opt/java/", java.getParent()
                .getParent() + "/").replace("/opt/berth/", app + "/").replace("/etc/berth/", dir + "/etc/"));

        assertNoCache(run(List.of("sh", entry.toString(), "--config", "x.yaml"), java, Map.of()),
                "none in the image (built with BERTH_AOT=off)");
        Path cache = app.resolve("berth.aot");
        Files.writeString(cache, "cache");
        List<String> options = run(List.of("sh", entry.toString(), "--config", "x.yaml"), java, Map.of());
        assertTrue(options.contains("-XX:AOTCache=" + cache), options.toString());
        assertNoCache(run(List.of("sh", entry.toString(), "--config", "x.yaml"), java, Map.of("BERTH_AOT", "off")),
                "turned off");
    }

    private static void assertNoCache(List<String> options, String why) {
        assertTrue(options.contains("-jar"), "the JVM ran: " + options);
        assertFalse(options.stream().anyMatch(option -> option.startsWith("-XX:AOT")), why + ": " + options);
    }

    /**
     * A JDK whose java writes the options it is given to {@code args} beside its bin/ and answers find-jdk's question
     * for its version; its release file says {@code version}.
     */
    private Path fakeJdk(String name, String version) throws IOException {
        Path home = dir.resolve(name);
        Path bin = Files.createDirectories(home.resolve("bin"));
        executable(bin.resolve("java"), """
                #!/bin/sh
                case "$*" in *-XshowSettings:properties*)
                  echo "    java.specification.version = %s" >&2; exit 0 ;; esac
                printf '%%s\\n' "$@" >"$(dirname "$0")/../args"
                """.formatted(version.substring(0, 2)));
        executable(bin.resolve("javac"), "#!/bin/sh\n");
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version.replaceAll("[+-].*", "")
                + "\"\nJAVA_RUNTIME_VERSION=\"" + version + "\"\n");
        return bin.resolve("java");
    }

    /** A checkout with ./berth and its scripts, and a jar newer than its sources (so ./berth builds nothing). */
    private Path checkout() throws IOException {
        Path home = dir.resolve("checkout");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("src/main"));
        Files.createDirectories(home.resolve("target/libs"));
        for (String script : List.of("berth", "bin/find-jdk", "bin/aot-stamp", "bin/aot-cache")) {
            Files.copy(Path.of(script), home.resolve(script));
        }
        Files.writeString(home.resolve("pom.xml"), "");
        Files.writeString(home.resolve("target/berth.jar"), "jar");
        Files.writeString(home.resolve("target/libs/lib.jar"), "a library");
        age(home.resolve("pom.xml"), 100);
        age(home.resolve("src/main"), 100);
        age(home.resolve("target/berth.jar"), 30);
        age(home.resolve("target/libs/lib.jar"), 30);
        return home;
    }

    /** A cache, and beside it the stamp of the java and jar it is for. */
    private static void cache(Path cache, String stamp) throws IOException {
        Files.writeString(cache, "cache");
        Files.writeString(cache.resolveSibling(cache.getFileName() + ".jdk"), stamp);
    }

    /** What bin/aot-stamp says of this java and jar, as bin/aot-cache saves it beside a cache it made. */
    private String stamp(Path java, Path jar) throws Exception {
        Process process = new ProcessBuilder("sh", "-c", ". bin/aot-stamp; berth_aot_stamp \"$0\" \"$1\"",
                java.toString(), jar.toString()).redirectErrorStream(true).start();
        String stamp = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), stamp);
        assertTrue(stamp.startsWith(java.toRealPath() + " " + JDK_25 + " "), stamp);
        return stamp;
    }

    private List<String> berth(Path home, Path java, Map<String, String> environment) throws Exception {
        return run(List.of(home.resolve("berth").toString(), "--config", "x.yaml"), java,
                with(environment, "JAVA_HOME", java.getParent().getParent().toString()));
    }

    /** Runs a launcher; the options its java was given. */
    private List<String> run(List<String> command, Path java, Map<String, String> environment) throws Exception {
        Path args = java.getParent().resolveSibling("args");
        Files.deleteIfExists(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("output").toFile());
        // Only PATH of this environment: no BERTH_AOT, no NAME_FILE variables for the image's entry point to read.
        String path = builder.environment().get("PATH");
        builder.environment().clear();
        builder.environment().put("PATH", path);
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the launcher ran");
        String output = Files.readString(dir.resolve("output"));
        assertEquals(0, process.exitValue(), output);
        assertTrue(Files.exists(args), "java started: " + output);
        return Files.readAllLines(args, StandardCharsets.UTF_8);
    }

    private static Map<String, String> with(Map<String, String> map, String key, String value) {
        Map<String, String> copy = new HashMap<>(map);
        copy.put(key, value);
        return copy;
    }

    private static void executable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void age(Path file, int seconds) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(NOW.minusSeconds(seconds)));
    }
}
