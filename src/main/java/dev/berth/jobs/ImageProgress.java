package dev.berth.jobs;

import dev.berth.oci.Digest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** How far a warm job got with one image: its state, what it resolved to, and blobs and bytes done of the total. */
public final class ImageProgress {
    /** Where an image stands. */
    public enum State { PENDING, RUNNING, DONE, FAILED, CANCELLED }

    private final String image;
    private final String repository;
    private State state = State.PENDING;
    private Digest digest;
    private final List<String> platforms = new ArrayList<>();
    private int layersTotal;
    private int layersDone;
    private long bytesTotal;
    private long bytesDone;
    private String error;

    ImageProgress(String image, String repository) {
        this.image = image;
        this.repository = repository;
    }

    synchronized void running() {
        state = State.RUNNING;
    }

    synchronized void resolved(Digest digest) {
        this.digest = digest;
    }

    synchronized void platform(String platform) {
        platforms.add(platform);
    }

    /** The blobs the image needs (config and layers of every platform taken, each digest once). */
    synchronized void expect(int layers, long bytes) {
        layersTotal = layers;
        bytesTotal = bytes;
    }

    synchronized void bytes(long count) {
        bytesDone += count;
    }

    synchronized void layerDone() {
        layersDone++;
    }

    synchronized void done() {
        state = State.DONE;
    }

    synchronized void failed(String message) {
        state = State.FAILED;
        error = message;
    }

    /** Cancelled before it finished; an image already done stays done. */
    synchronized void cancelled() {
        if (state == State.PENDING || state == State.RUNNING) {
            state = State.CANCELLED;
        }
    }

    public synchronized State state() {
        return state;
    }

    public synchronized Optional<String> error() {
        return Optional.ofNullable(error);
    }

    synchronized long[] counts() {
        return new long[] {layersDone, layersTotal, bytesDone, bytesTotal};
    }

    /** The name the image is cached under, which the access rules judge. */
    public String repository() {
        return repository;
    }

    /** The JSON form: image, repository, state, digest, platforms, layers and bytes done of the total, error. */
    public synchronized Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("image", image);
        map.put("repository", repository);
        map.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
        map.put("digest", digest == null ? null : digest.toString());
        map.put("platforms", List.copyOf(platforms));
        map.put("layers", WarmJob.counts(layersDone, layersTotal));
        map.put("bytes", WarmJob.counts(bytesDone, bytesTotal));
        map.put("error", error);
        return map;
    }
}
