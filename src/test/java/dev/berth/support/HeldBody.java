package dev.berth.support;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.SocketEffect;
import okio.BufferedSink;

/**
 * A blob body the test controls: the hub sends its first {@code split} bytes, then holds the rest until the test
 * releases it, and then sends the rest, or breaks the connection halfway through the body. While it is held the
 * download is visibly unfinished, so a client that has bytes by then got them from the download in flight, with no
 * timing involved.
 */
public final class HeldBody implements MockResponseBody {
    /** How long the hub holds at most, so a test that forgets to release cannot hang the build. */
    private static final long MAX_HOLD_SECONDS = 10;

    private final byte[] bytes;
    private final int split;
    private final boolean cut;
    private final CountDownLatch release = new CountDownLatch(1);

    private HeldBody(byte[] bytes, int split, boolean cut) {
        this.bytes = bytes;
        this.split = split;
        this.cut = cut;
    }

    /** Sends {@code split} bytes, waits for {@link #release()}, then the rest. */
    public static HeldBody thenRest(byte[] bytes, int split) {
        return new HeldBody(bytes, split, false);
    }

    /** Sends {@code split} bytes, waits for {@link #release()}, then breaks the connection at half the body. */
    public static HeldBody thenCut(byte[] bytes, int split) {
        if (split >= bytes.length / 2) {
            throw new IllegalArgumentException("the cut comes at half the body: hold before it");
        }
        return new HeldBody(bytes, split, true);
    }

    /** The hub's 200 carrying this body with its full Content-Length, as one use of it. */
    public Supplier<MockResponse> response() {
        return () -> {
            MockResponse.Builder response = new MockResponse.Builder()
                    .addHeader("Content-Type", "application/octet-stream").body(this);
            // MockWebServer closes the socket once half the body is written: a real mid-stream disconnect.
            return (cut ? response.onResponseBody(new SocketEffect.CloseSocket(true, false, false)) : response)
                    .build();
        };
    }

    /** Lets the hub go on. */
    public void release() {
        release.countDown();
    }

    @Override
    public long getContentLength() {
        return bytes.length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
        sink.write(bytes, 0, split);
        sink.flush();
        try {
            if (!release.await(MAX_HOLD_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("held body never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        sink.write(bytes, split, bytes.length - split);
        sink.flush();
    }
}
