/* A photo shrunk on the phone before it is queued (pindrop.js): its longest edge at most 2048
 * pixels, JPEG at quality 0.85, turned the way the camera was held (EXIF orientation applied),
 * so that a report's photo crosses a weak link in a fifth of the bytes or less. The server still
 * re-encodes every photo and strips its metadata (gis/incidents/photos.py). A photo that cannot
 * be read here (an old browser, a format it does not decode) is sent as it is.
 *
 * In a page it is bw.photo; under node the module is the object itself (the size rules are
 * tested by tests/js/photo.test.js).
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.bw = root.bw || {};
    root.bw.photo = factory();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  const MAX_EDGE = 2048;
  const QUALITY = 0.85;

  /** The size a photo of width × height is drawn at: the longest edge at most maxEdge, the
   * proportions kept, never enlarged; whole pixels, at least 1. */
  function targetSize(width, height, maxEdge) {
    const limit = maxEdge || MAX_EDGE;
    if (!(width > 0 && height > 0)) throw new RangeError("a photo has a width and a height"); // i18n-ignore (for programmers)
    const scale = Math.min(1, limit / Math.max(width, height));
    return {
      width: Math.max(1, Math.round(width * scale)),
      height: Math.max(1, Math.round(height * scale)),
    };
  }

  /** The file name of the shrunk photo: the original's, as a .jpg. */
  function jpegName(name) {
    const base = String(name || "photo").replace(/\.[A-Za-z0-9]{1,5}$/, "");
    return (base || "photo") + ".jpg";
  }

  /** Which of the original and the shrunk photo to send: the shrunk one unless it came out
   * larger than an original that needed no shrinking. */
  function smaller(original, shrunk, resized) {
    if (!shrunk) return original;
    if (!resized && shrunk.size >= original.size) return original;
    return shrunk;
  }

  /** The photo to queue: a Promise of a Blob (the shrunk JPEG) or the original File. */
  function shrink(file, options) {
    const opts = options || {};
    const maxEdge = opts.maxEdge || MAX_EDGE;
    const quality = opts.quality || QUALITY;
    if (typeof createImageBitmap !== "function" || typeof document === "undefined") {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" })
      .then(function (bitmap) {
        const size = targetSize(bitmap.width, bitmap.height, maxEdge);
        const canvas = document.createElement("canvas");
        canvas.width = size.width;
        canvas.height = size.height;
        const context = canvas.getContext("2d");
        context.fillStyle = "#ffffff"; /* a transparent PNG becomes white, not black */
        context.fillRect(0, 0, size.width, size.height);
        context.drawImage(bitmap, 0, 0, size.width, size.height);
        const resized = size.width !== bitmap.width || size.height !== bitmap.height;
        if (bitmap.close) bitmap.close();
        return new Promise(function (resolve) {
          canvas.toBlob(
            function (blob) {
              if (!blob) {
                resolve(file);
                return;
              }
              const named = typeof File === "function"
                ? new File([blob], jpegName(file.name), { type: "image/jpeg" })
                : blob;
              resolve(smaller(file, named, resized));
            },
            "image/jpeg",
            quality,
          );
        });
      })
      .catch(function () {
        return file;
      });
  }

  return {
    MAX_EDGE: MAX_EDGE,
    QUALITY: QUALITY,
    targetSize: targetSize,
    jpegName: jpegName,
    smaller: smaller,
    shrink: shrink,
  };
});
