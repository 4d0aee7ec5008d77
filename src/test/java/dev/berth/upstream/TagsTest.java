package dev.berth.upstream;

import static dev.berth.upstream.Fixtures.BUSYBOX;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.upstream.UpstreamClient.Patience;
import java.util.List;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** Tag listing across Link-paginated pages. */
class TagsTest {
    @StartStop
    public final MockWebServer registry = new MockWebServer();

    @Test
    void followsNextLinks() throws Exception {
        registry.enqueue(new MockResponse.Builder()
                .addHeader("Link", "</v2/library/busybox/tags/list?last=1.36&n=2>; rel=\"next\"")
                .body("{\"name\":\"library/busybox\",\"tags\":[\"1.35\",\"1.36\"]}").build());
        registry.enqueue(new MockResponse.Builder()
                .body("{\"name\":\"library/busybox\",\"tags\":[\"latest\"]}").build());

        assertEquals(Optional.of(List.of("1.35", "1.36", "latest")),
                Fixtures.client(registry).tags(BUSYBOX, Patience.FULL));

        assertEquals("/v2/library/busybox/tags/list", registry.takeRequest().getUrl().encodedPath());
        assertEquals("1.36", registry.takeRequest().getUrl().queryParameter("last"));
    }

    @Test
    void nullTagsIsAnEmptyList() {
        registry.enqueue(new MockResponse.Builder().body("{\"name\":\"library/busybox\",\"tags\":null}").build());
        assertEquals(Optional.of(List.of()), Fixtures.client(registry).tags(BUSYBOX, Patience.FULL));
    }
}
