package dev.berth.jobs;

import dev.berth.oci.Platform;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One warm job: the images it caches, each one's progress, and the job's own state. */
public final class WarmJob {
    /** Where a job stands: running until every image finished, then how it ended. */
    public enum State { RUNNING, SUCCEEDED, FAILED, CANCELLED }

    private final String id;
    private final Instant created;
    private final Optional<Platform> platform;
    private final String startedBy;
    private final List<ImageProgress> images;
    private volatile boolean cancelRequested;
    private volatile Instant finished;

    WarmJob(String id, Instant created, Optional<Platform> platform, String startedBy, List<ImageProgress> images) {
        this.id = id;
        this.created = created;
        this.platform = platform;
        this.startedBy = startedBy;
        this.images = List.copyOf(images);
    }

    public String id() {
        return id;
    }

    List<ImageProgress> images() {
        return images;
    }

    /** The repositories the job's images are cached under: who administers all of them may see and cancel it. */
    public List<String> repositories() {
        return images.stream().map(ImageProgress::repository).distinct().toList();
    }

    void cancel() {
        cancelRequested = true;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    void finished(Instant at) {
        finished = at;
    }

    public boolean isFinished() {
        return finished != null;
    }

    /** Running until every image finished; then succeeded when all are cached, else cancelled or failed. */
    public State state() {
        if (finished == null) {
            return State.RUNNING;
        }
        if (images.stream().allMatch(i -> i.state() == ImageProgress.State.DONE)) {
            return State.SUCCEEDED;
        }
        return images.stream().anyMatch(i -> i.state() == ImageProgress.State.CANCELLED) ? State.CANCELLED
                : State.FAILED;
    }

    /** The JSON form: id, state, times, platform, the totals over all images, and each image. */
    public Map<String, Object> toMap() {
        long[] total = new long[4];
        List<Map<String, Object>> each = images.stream().map(image -> {
            long[] counts = image.counts();
            for (int i = 0; i < 4; i++) {
                total[i] += counts[i];
            }
            return image.toMap();
        }).toList();
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id);
        map.put("state", state().name().toLowerCase(java.util.Locale.ROOT));
        map.put("created", created.toString());
        map.put("finished", finished == null ? null : finished.toString());
        map.put("startedBy", startedBy);
        map.put("platform", platform.map(Platform::toString).orElse(null));
        map.put("layers", counts(total[0], total[1]));
        map.put("bytes", counts(total[2], total[3]));
        map.put("images", each);
        return map;
    }

    static Map<String, Long> counts(long done, long total) {
        Map<String, Long> map = new LinkedHashMap<>();
        map.put("done", done);
        map.put("total", total);
        return map;
    }
}
