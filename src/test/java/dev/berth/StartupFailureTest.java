package dev.berth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.support.ChildBerth;
import dev.berth.support.ExternalCommand;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees when berth cannot start: a taken port. */
class StartupFailureTest {
    @TempDir
    Path root;

    @Test
    void aTakenPortIsOneLineAndExitStatus2() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ExternalCommand.Result result = ChildBerth.runUntilExit("server: {host: 127.0.0.1, port: "
                    + taken.getLocalPort() + "}\nstorage: {root: '" + root + "'}\n");
            assertEquals(2, result.exitCode(), result::stderr);
            assertEquals("berth: server.port " + taken.getLocalPort() + ": address already in use\n", result.stderr());
            assertEquals("", result.stdoutText());
        }
    }
}
