package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A body read under the pace: cut when it stalls, with the interrupt kept to the read; untouched when it keeps up. */
class PacedBodyTest {
    private final BodyDeadlines deadlines = new BodyDeadlines(Duration.ofMillis(300), 1000);

    @AfterEach
    void stop() {
        deadlines.close();
    }

    @Test
    void aStalledReadIsCutAndTheThreadIsLeftUninterrupted() throws IOException {
        PipedOutputStream client = new PipedOutputStream();
        PacedBody body = paced(new PipedInputStream(client));
        client.write(new byte[10]);
        assertEquals(10, body.read(new byte[100]));

        long began = System.nanoTime();
        RegistryException cut = assertThrows(RegistryException.class, () -> body.read(new byte[100]));
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        assertEquals(OciError.BODY_TIMEOUT, cut.error());
        assertEquals("close", cut.headers().get("Connection"));
        assertTrue(took.compareTo(Duration.ofMillis(250)) > 0 && took.compareTo(Duration.ofSeconds(3)) < 0,
                "cut after the timeout: " + took);
        assertFalse(Thread.currentThread().isInterrupted(), "the interrupt stays with the read it cut");
        // Once cut, always cut, even with bytes waiting.
        client.write(new byte[10]);
        assertEquals(OciError.BODY_TIMEOUT, assertThrows(RegistryException.class, body::read).error());
    }

    @Test
    void aBodyThatKeepsUpAndEndsIsNeverCut() throws IOException {
        PacedBody body = paced(new ByteArrayInputStream(new byte[5000]));
        assertEquals(5000, body.readAllBytes().length);
        assertEquals(-1, body.read());
    }

    private PacedBody paced(java.io.InputStream in) {
        return new PacedBody(in, new BodyPace(Duration.ofMillis(300), 1000), deadlines, true);
    }
}
