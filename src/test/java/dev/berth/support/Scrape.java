package dev.berth.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** One scrape of {@code /observe/metrics} in Prometheus text format, read sample by sample. */
public final class Scrape {
    private final String text;

    private Scrape(String text) {
        this.text = text;
    }

    /** Scrapes {@code client}'s berth, asserting a 200 in the Prometheus text format. */
    public static Scrape of(TestClient client) {
        HttpResponse<byte[]> response = client.get("/observe/metrics", "Accept", "text/plain");
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(200, response.statusCode(), body);
        assertEquals("text/plain", RegistryAssertions.header(response, "Content-Type").split(";")[0].trim());
        return new Scrape(body);
    }

    /**
     * The value of the one sample of {@code name} whose labels include {@code labels}; 0 when there is none, which is
     * what Prometheus assumes of a counter not yet created. More than one match fails the test.
     */
    public double value(String name, Map<String, String> labels) {
        List<String> matches = samples(name, labels);
        if (matches.isEmpty()) {
            return 0;
        }
        assertEquals(1, matches.size(), () -> "samples of " + name + " " + labels + ": " + matches);
        String line = matches.get(0);
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    /** Whether any sample of {@code name} is present. */
    public boolean has(String name) {
        return text.lines().anyMatch(line -> line.startsWith(name + "{") || line.startsWith(name + " "));
    }

    @Override
    public String toString() {
        return text;
    }

    /** Whether the scrape has a sample of {@code name} whose labels include {@code labels}, whatever its value. */
    public boolean has(String name, Map<String, String> labels) {
        return !samples(name, labels).isEmpty();
    }

    private List<String> samples(String name, Map<String, String> labels) {
        return text.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> labels.entrySet().stream()
                        .allMatch(label -> line.contains(label.getKey() + "=\"" + label.getValue() + "\"")))
                .toList();
    }
}
