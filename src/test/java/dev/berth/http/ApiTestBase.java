package dev.berth.http;

import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh berth over an empty data directory for each test, and a client for it. */
abstract class ApiTestBase {
    @TempDir
    Path root;
    RunningBerth berth;
    TestClient client;

    @BeforeEach
    void startBerth() {
        berth = RunningBerth.start(root);
        client = berth.client();
    }

    @AfterEach
    void stopBerth() {
        berth.close();
    }
}
