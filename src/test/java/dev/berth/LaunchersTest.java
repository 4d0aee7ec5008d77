package dev.berth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the three ways of starting berth promise a supervisor: the JVM exits non-zero when memory runs out (rather than
 * run on with threads that died of it), and the systemd unit restarts berth after any exit but a stop and a bad
 * configuration.
 */
class LaunchersTest {
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
}
