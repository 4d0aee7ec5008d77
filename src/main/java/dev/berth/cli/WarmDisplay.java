package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Shows a warm job's progress as it is polled: on a terminal, a bar per image redrawn in place (layers and bytes, as
 * docker pull shows them); otherwise a plain line whenever an image starts, gets a layer further, or ends.
 */
final class WarmDisplay {
    private static final int BAR = 24;

    private final PrintStream out;
    private final boolean terminal;
    private final Map<String, String> lastLine = new HashMap<>();
    private int drawn;

    WarmDisplay(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Shows the job as it stands now. */
    void show(JsonNode job) {
        JsonNode images = job.path("images");
        if (terminal) {
            StringBuilder frame = new StringBuilder();
            if (drawn > 0) {
                frame.append("\033[").append(drawn).append('A');
            }
            int width = 0;
            for (JsonNode image : images) {
                width = Math.max(width, image.path("image").asText().length());
            }
            for (JsonNode image : images) {
                frame.append("\r\033[K").append(bar(image, width)).append('\n');
            }
            drawn = images.size();
            out.print(frame);
            out.flush();
            return;
        }
        for (int i = 0; i < images.size(); i++) {
            JsonNode image = images.get(i);
            String line = line(image);
            if (line != null && !line.equals(lastLine.put(i + " " + image.path("image").asText(), line))) {
                out.println(line);
            }
        }
    }

    /** One image as a terminal line: name, bar, layers, bytes, state. */
    private static String bar(JsonNode image, int width) {
        long done = image.path("bytes").path("done").asLong();
        long total = image.path("bytes").path("total").asLong();
        int filled = total > 0 ? (int) Math.min(BAR, done * BAR / total) : 0;
        String state = image.path("state").asText();
        if (state.equals("done")) {
            filled = BAR;
        }
        String bar = "=".repeat(filled) + (filled < BAR ? ">" + " ".repeat(BAR - filled - 1) : "");
        String tail = switch (state) {
            case "failed" -> "failed: " + image.path("error").asText();
            case "pending" -> "waiting";
            default -> state;
        };
        return String.format(Locale.ROOT, "%-" + width + "s [%s] %s layers  %s  %s", image.path("image").asText(),
                bar, fraction(image.path("layers")), bytes(done) + "/" + bytes(total), tail);
    }

    /** One image as a plain line, or null while it waits. */
    private static String line(JsonNode image) {
        String name = image.path("image").asText();
        return switch (image.path("state").asText()) {
            case "pending" -> null;
            case "running" -> name + ": " + fraction(image.path("layers")) + " layers, "
                    + bytes(image.path("bytes").path("done").asLong()) + "/"
                    + bytes(image.path("bytes").path("total").asLong());
            case "done" -> name + ": cached " + image.path("digest").asText() + " ("
                    + image.path("layers").path("total").asLong() + " layers, "
                    + bytes(image.path("bytes").path("total").asLong()) + platforms(image) + ")";
            case "failed" -> name + ": failed: " + image.path("error").asText();
            default -> name + ": " + image.path("state").asText();
        };
    }

    private static String platforms(JsonNode image) {
        StringBuilder list = new StringBuilder();
        image.path("platforms").forEach(p -> list.append(list.isEmpty() ? "; " : ", ").append(p.asText()));
        return list.toString();
    }

    private static String fraction(JsonNode counts) {
        return counts.path("done").asLong() + "/" + counts.path("total").asLong();
    }

    /** A size as docker shows it: decimal units, one decimal. */
    static String bytes(long count) {
        if (count < 1000) {
            return count + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = count;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
