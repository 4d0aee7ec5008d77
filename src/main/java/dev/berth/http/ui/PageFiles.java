package dev.berth.http.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The page's files, read once from the jar's {@code ui/} resources: a few kilobytes, served from memory. */
final class PageFiles {
    /** A file and its media type. */
    record File(byte[] bytes, String mediaType) {
    }

    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");

    private final Map<String, File> files;

    private PageFiles(Map<String, File> files) {
        this.files = files;
    }

    /** Reads every file; a jar without them is broken, and says so at start. */
    static PageFiles load() {
        return new PageFiles(FILES.entrySet().stream().collect(Collectors.toUnmodifiableMap(
                Map.Entry::getKey, e -> new File(read(e.getKey()), e.getValue()))));
    }

    /** The file of that name, if the page has one. */
    Optional<File> get(String name) {
        return Optional.ofNullable(files.get(name));
    }

    private static byte[] read(String name) {
        try (InputStream in = PageFiles.class.getResourceAsStream("/ui/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks the page's file ui/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
