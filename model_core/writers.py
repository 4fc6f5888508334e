"""Vector output of prediction results (ARCHITECTURE section 5) with GDAL/OGR.

Three layers: ``clvnet_objects`` (MultiPolygon per grounded phrase), ``clvnet_relations`` (no
geometry) and ``clvnet_prompts`` (the user's box as a Polygon with the caption). GeoPackage holds
all three in one file; Shapefile and GeoJSON use one file per layer beside PATH:

- ``.shp``: PATH.shp, PATH_relations.dbf (a geometry-less shapefile), PATH_prompts.shp;
- ``.geojson`` / ``.json``: PATH, PATH_relations.<ext>, PATH_prompts.<ext>. GeoJSON is written
  in the output CRS (not reprojected to EPSG:4326 as RFC 7946 asks) so it lines up with the
  raster; GDAL records that CRS in the file's ``crs`` member by its EPSG code.

Every file is first written into a temporary folder beside PATH, re-opened and its features
counted (GDAL's GeoJSON driver reports no error on a full disk), and only then moved into place;
the files of the earlier output are set aside first and restored if any move fails, so the set
of files is replaced as one unit and a failed write never damages an existing output.
"""

import errno
import os
import shutil
import tempfile
from collections import Counter
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from osgeo import ogr, osr

from model_core.errors import InputError
from model_core.result import PredictionResult
from model_core.vectorize import polygon_area_m2

ogr.UseExceptions()
osr.UseExceptions()

OBJECTS = "clvnet_objects"
RELATIONS = "clvnet_relations"
PROMPTS = "clvnet_prompts"

# (name, OGR type) per layer; every name fits the Shapefile limit of 10 characters.
OBJECT_FIELDS = (
    ("box_id", ogr.OFTInteger),
    ("obj_id", ogr.OFTInteger),
    ("phrase", ogr.OFTString),
    ("caption", ogr.OFTString),
    ("score", ogr.OFTReal),
    ("area_m2", ogr.OFTReal),
    ("model", ogr.OFTString),
    ("source", ogr.OFTString),
)
RELATION_FIELDS = (
    ("box_id", ogr.OFTInteger),
    ("subj_id", ogr.OFTInteger),
    ("predicate", ogr.OFTString),
    ("obj_id", ogr.OFTInteger),
    ("score", ogr.OFTReal),
)
PROMPT_FIELDS = (
    ("box_id", ogr.OFTInteger),
    ("caption", ogr.OFTString),
    ("tagged", ogr.OFTString),
    ("model", ogr.OFTString),
    ("source", ogr.OFTString),
)

GPKG, SHAPEFILE, GEOJSON = "GPKG", "ESRI Shapefile", "GeoJSON"
DRIVER_BY_EXTENSION = {".gpkg": GPKG, ".shp": SHAPEFILE, ".geojson": GEOJSON, ".json": GEOJSON}
SHAPEFILE_TEXT_BYTES = 254
# Files that may sit beside a shapefile; stale ones of an earlier output are removed.
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj", ".qix", ".sbn", ".sbx")
# A write that fails with less free space than this is reported as a full disk.
FULL_DISK_BYTES = 1 << 20

Row = Tuple[Optional[ogr.Geometry], Dict[str, object]]


def write_results(
    path: str,
    results: Sequence[PredictionResult],
    box_ids: Optional[Sequence[int]] = None,
    crs_wkt: Optional[str] = None,
    driver: Optional[str] = None,
) -> List[str]:
    """Write prediction results as the three CLV-Net layers; return warnings for the user.

    Args:
        path: output file; its extension picks the format unless ``driver`` is given.
        results: one result per box. Object geometries (``DetectedObject.geometry``) and the
            box (``PredictionResult.box_geometry``) are shapely geometries in the result's CRS.
        box_ids: id of each result's box (default: its position, 0-based). ``obj_id``,
            ``subj_id`` are positions in ``result.objects`` (0-based, as in ``Relation``).
        crs_wkt: output CRS; None takes the first result CRS. Results in another CRS are
            reprojected; geometries of results without a CRS are taken as already in it.
            With no CRS at all the layers are written without one.
        driver: "GPKG", "ESRI Shapefile" or "GeoJSON" to override the extension.

    Returns:
        Warnings: objects skipped for lack of a polygon (and relations that referred to them),
        Shapefile text truncation, a GeoJSON CRS that cannot be recorded.

    Raises:
        InputError: unknown format, an output folder that is missing or not writable (checked
            before anything is written), a full disk, or files that do not read back complete;
            the earlier output is then unchanged.
    """
    path = os.path.abspath(path)
    driver = _driver(path, driver)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise InputError(f"The output folder '{folder}' does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"The output folder '{folder}' is not writable.")
    if os.path.isdir(path):
        raise InputError(f"The output '{path}' is a folder; give a file name.")
    if box_ids is None:
        box_ids = list(range(len(results)))
    if len(box_ids) != len(results):
        raise ValueError(f"{len(box_ids)} box ids for {len(results)} results")
    out_wkt = crs_wkt or next((r.crs_wkt for r in results if r.crs_wkt), None)
    writer = _LayerWriter(driver, _srs(out_wkt))
    stem, ext = os.path.splitext(os.path.basename(path))

    try:
        temp_dir = tempfile.mkdtemp(prefix=f".{stem}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _write_failure(path, exc) from None
    new_dir, old_dir = os.path.join(temp_dir, "new"), os.path.join(temp_dir, "old")
    try:
        os.mkdir(new_dir)
        os.mkdir(old_dir)
        if driver == GPKG:
            names = {OBJECTS: OBJECTS, RELATIONS: RELATIONS, PROMPTS: PROMPTS}
            writer.write_all(os.path.join(new_dir, stem + ext), names, results, box_ids)
        elif driver == SHAPEFILE:
            names = {OBJECTS: stem, RELATIONS: stem + "_relations", PROMPTS: stem + "_prompts"}
            writer.write_all(new_dir, names, results, box_ids)
        else:
            for layer, suffix in ((OBJECTS, ""), (RELATIONS, "_relations"), (PROMPTS, "_prompts")):
                file_path = os.path.join(new_dir, stem + suffix + ext)
                writer.write_all(file_path, {layer: layer}, results, box_ids)
        _replace_as_one_unit(new_dir, old_dir, folder, driver == SHAPEFILE)
    except (OSError, RuntimeError) as exc:
        raise _write_failure(path, exc) from None
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)
    return writer.warnings()


def _driver(path: str, driver: Optional[str]) -> str:
    """The OGR driver for ``path``: the given one or the one its extension names."""
    if driver is not None:
        if driver not in (GPKG, SHAPEFILE, GEOJSON):
            raise InputError(
                f"The output format '{driver}' is not supported; use GPKG, "
                "ESRI Shapefile or GeoJSON."
            )
        return driver
    ext = os.path.splitext(path)[1].lower()
    if ext not in DRIVER_BY_EXTENSION:
        raise InputError(
            f"The output '{os.path.basename(path)}' has an unknown extension; use .gpkg, .shp "
            "or .geojson."
        )
    return DRIVER_BY_EXTENSION[ext]


def _srs(wkt: Optional[str]) -> Optional[osr.SpatialReference]:
    """Spatial reference from WKT with x = easting/longitude axis order, or None."""
    if not wkt:
        return None
    srs = osr.SpatialReference()
    srs.ImportFromWkt(wkt)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def _replace_as_one_unit(new_dir: str, old_dir: str, folder: str, is_shapefile: bool) -> None:
    """Move the finished files of ``new_dir`` into ``folder`` as one unit.

    The files they replace (and stale sidecars of a replaced shapefile) are first moved aside
    into ``old_dir``; if any move fails, the new files are taken out again and the old ones put
    back, so the folder never holds a mix of old and new files.
    """
    produced = sorted(os.listdir(new_dir))
    replaced = list(produced)
    if is_shapefile:
        for stem in sorted({os.path.splitext(name)[0] for name in produced}):
            replaced += [stem + part for part in SHAPEFILE_PARTS if stem + part not in produced]
    set_aside: List[str] = []
    placed: List[str] = []
    try:
        for name in replaced:
            if os.path.lexists(os.path.join(folder, name)):
                os.replace(os.path.join(folder, name), os.path.join(old_dir, name))
                set_aside.append(name)
        for name in produced:
            os.replace(os.path.join(new_dir, name), os.path.join(folder, name))
            placed.append(name)
    except OSError:
        for name in placed:
            os.replace(os.path.join(folder, name), os.path.join(new_dir, name))
        for name in set_aside:
            os.replace(os.path.join(old_dir, name), os.path.join(folder, name))
        raise


def _write_failure(path: str, exc: Exception) -> InputError:
    """One sentence for a write that failed: a full disk named as such, else the reason."""
    folder = os.path.dirname(path)
    reason = (str(exc) or gdal_last_error() or type(exc).__name__).strip().rstrip(".")
    if _disk_is_full(folder, exc, reason):
        return InputError(
            f"No space left on the disk holding '{folder}': '{os.path.basename(path)}' was not "
            "written and any earlier output there is unchanged."
        )
    return InputError(f"Writing '{path}' failed ({reason}); any earlier output there is unchanged.")


def _disk_is_full(folder: str, exc: Exception, reason: str) -> bool:
    """True when a failed write is explained by a full disk (ENOSPC, SQLite's "disk is full",
    or less than ``FULL_DISK_BYTES`` left: GDAL drivers often lose the error code)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if "no space" in reason.lower() or "disk is full" in reason.lower():
        return True
    try:
        return shutil.disk_usage(folder).free < FULL_DISK_BYTES
    except OSError:
        return False


def gdal_last_error() -> str:
    """GDAL's last error message (some drivers raise a RuntimeError without one)."""
    from osgeo import gdal

    return gdal.GetLastErrorMsg() or ""


class _LayerWriter:
    """Creates datasets and layers of one format in one CRS and collects warnings."""

    def __init__(self, driver: str, srs: Optional[osr.SpatialReference]) -> None:
        self.driver = driver
        self.srs = srs
        self.skipped = 0
        self.dropped_relations = 0
        self.truncated: Counter = Counter()
        self._transforms: Dict[str, Optional[osr.CoordinateTransformation]] = {}

    def write_all(
        self,
        path: str,
        names: Dict[str, str],
        results: Sequence[PredictionResult],
        box_ids: Sequence[int],
    ) -> None:
        """Create a dataset at ``path`` (a folder for Shapefile), write the layers in ``names``
        (layer -> its name in the dataset) and close it."""
        specs = {
            OBJECTS: (ogr.wkbMultiPolygon, OBJECT_FIELDS, self._object_rows),
            RELATIONS: (ogr.wkbNone, RELATION_FIELDS, self._relation_rows),
            PROMPTS: (ogr.wkbPolygon, PROMPT_FIELDS, self._prompt_rows),
        }
        dataset = ogr.GetDriverByName(self.driver).CreateDataSource(path)
        if dataset is None:
            raise RuntimeError(f"GDAL cannot create '{os.path.basename(path)}'")
        layer = feature = None
        written: Dict[str, int] = {}
        try:
            transaction = dataset.TestCapability(ogr.ODsCTransactions)
            if transaction:
                dataset.StartTransaction()
            for layer_key, name in names.items():
                geom_type, fields, rows = specs[layer_key]
                layer = self._create_layer(dataset, name, geom_type, fields)
                written[name] = 0
                for geometry, values in rows(results, box_ids):
                    feature = ogr.Feature(layer.GetLayerDefn())
                    if geometry is not None:
                        feature.SetGeometry(geometry)
                    for field, value in values.items():
                        if value is None:
                            feature.SetFieldNull(field)
                        else:
                            feature.SetField(field, self._text(name, field, value))
                    layer.CreateFeature(feature)
                    written[name] += 1
            if transaction:
                dataset.CommitTransaction()
            if self.driver == GPKG and self.srs is None:
                _mark_undefined_cartesian(dataset, [n for k, n in names.items() if k != RELATIONS])
        finally:
            # Dropping the last references closes the dataset and flushes it to disk.
            layer = feature = dataset = None
        _verify(path, written)

    def warnings(self) -> List[str]:
        """One sentence per problem the user should know about."""
        notes = []
        if self.skipped:
            notes.append(
                f"{self.skipped} object(s) had no polygon (mask empty after removing small "
                "parts) and were not written."
            )
        if self.dropped_relations:
            notes.append(
                f"{self.dropped_relations} relation(s) referred to such objects and were not "
                "written, so every relation names an object of the output."
            )
        for (layer, field), count in sorted(self.truncated.items()):
            notes.append(
                f"Shapefile text is limited to {SHAPEFILE_TEXT_BYTES} bytes: {count} value(s) "
                f"of field '{field}' in '{layer}' were truncated."
            )
        if self.driver == GEOJSON and self.srs is not None and not _has_epsg(self.srs):
            notes.append(
                "The output CRS has no EPSG code, so the GeoJSON files cannot record it; "
                "use GeoPackage to keep it."
            )
        return notes

    def _create_layer(
        self, dataset: ogr.DataSource, name: str, geom_type: int, fields
    ) -> ogr.Layer:
        options = ["ENCODING=UTF-8"] if self.driver == SHAPEFILE else []
        srs = self.srs if geom_type != ogr.wkbNone else None
        layer = dataset.CreateLayer(name, srs=srs, geom_type=geom_type, options=options)
        for field_name, field_type in fields:
            definition = ogr.FieldDefn(field_name, field_type)
            if self.driver == SHAPEFILE and field_type == ogr.OFTString:
                definition.SetWidth(SHAPEFILE_TEXT_BYTES)
            layer.CreateField(definition)
        return layer

    def _text(self, layer: str, field: str, value: object) -> object:
        """``value``, with text cut to the Shapefile limit (counted for the warnings)."""
        if self.driver != SHAPEFILE or not isinstance(value, str):
            return value
        encoded = value.encode("utf-8")
        if len(encoded) <= SHAPEFILE_TEXT_BYTES:
            return value
        self.truncated[(layer, field)] += 1
        return encoded[:SHAPEFILE_TEXT_BYTES].decode("utf-8", errors="ignore")

    def _object_rows(
        self, results: Sequence[PredictionResult], box_ids: Sequence[int]
    ) -> Iterator[Row]:
        for result, box_id in zip(results, box_ids):
            for obj_id, obj in enumerate(result.objects):
                if obj.geometry is None:
                    self.skipped += 1
                    continue
                geometry = ogr.ForceToMultiPolygon(self._geometry(obj.geometry, result.crs_wkt))
                if ogr.GT_Flatten(geometry.GetGeometryType()) != ogr.wkbMultiPolygon:
                    raise ValueError(
                        f"object {obj_id} of box {box_id} has a {geometry.GetGeometryName()} "
                        "geometry; expected a (Multi)Polygon"
                    )
                area = obj.area_m2
                if area is None:
                    area = polygon_area_m2(obj.geometry, result.crs_wkt or self._wkt())
                values = {
                    "box_id": int(box_id),
                    "obj_id": obj_id,
                    "phrase": obj.phrase,
                    "caption": result.caption,
                    "score": float(obj.score),
                    "area_m2": area,
                    "model": result.model,
                    "source": result.source,
                }
                yield geometry, values

    def _relation_rows(
        self, results: Sequence[PredictionResult], box_ids: Sequence[int]
    ) -> Iterator[Row]:
        for result, box_id in zip(results, box_ids):
            drawn = {k for k, obj in enumerate(result.objects) if obj.geometry is not None}
            for relation in result.relations:
                if relation.subject not in drawn or relation.object not in drawn:
                    self.dropped_relations += 1
                    continue
                values = {
                    "box_id": int(box_id),
                    "subj_id": int(relation.subject),
                    "predicate": relation.predicate,
                    "obj_id": int(relation.object),
                    "score": float(relation.score),
                }
                yield None, values

    def _prompt_rows(
        self, results: Sequence[PredictionResult], box_ids: Sequence[int]
    ) -> Iterator[Row]:
        for result, box_id in zip(results, box_ids):
            geometry = None
            if result.box_geometry is not None:
                geometry = ogr.ForceToPolygon(self._geometry(result.box_geometry, result.crs_wkt))
            values = {
                "box_id": int(box_id),
                "caption": result.caption,
                "tagged": result.tagged_caption,
                "model": result.model,
                "source": result.source,
            }
            yield geometry, values

    def _geometry(self, shapely_geom, crs_wkt: Optional[str]) -> ogr.Geometry:
        """OGR copy of a shapely geometry, reprojected from ``crs_wkt`` to the output CRS."""
        geometry = ogr.CreateGeometryFromWkb(bytes(shapely_geom.wkb))
        transform = self._transform(crs_wkt)
        if transform is not None:
            geometry.Transform(transform)
        return geometry

    def _transform(self, crs_wkt: Optional[str]) -> Optional[osr.CoordinateTransformation]:
        """Transformation from ``crs_wkt`` to the output CRS; None when none is needed."""
        if not crs_wkt or self.srs is None:
            return None
        if crs_wkt not in self._transforms:
            source = _srs(crs_wkt)
            same = source.IsSame(self.srs)
            self._transforms[crs_wkt] = (
                None if same else osr.CoordinateTransformation(source, self.srs)
            )
        return self._transforms[crs_wkt]

    def _wkt(self) -> Optional[str]:
        return self.srs.ExportToWkt() if self.srs is not None else None


def _verify(path: str, expected: Dict[str, int]) -> None:
    """Flush the files of a closed dataset to disk, re-open it and count each layer's features;
    a file cut short (GDAL's GeoJSON driver ignores a full disk) raises RuntimeError."""
    files = [path] if os.path.isfile(path) else [os.path.join(path, n) for n in os.listdir(path)]
    for file_path in files:
        descriptor = os.open(file_path, os.O_RDWR)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    dataset = ogr.Open(path)
    if dataset is None:
        raise RuntimeError(f"'{os.path.basename(path)}' cannot be re-opened")
    try:
        for name, count in expected.items():
            layer = dataset.GetLayerByName(name)
            if layer is None and dataset.GetLayerCount() == 1:
                layer = dataset.GetLayer(0)
            found = layer.GetFeatureCount() if layer is not None else 0
            if found != count:
                raise RuntimeError(f"layer '{name}' reads back with {found} of {count} features")
    finally:
        dataset = None


def _mark_undefined_cartesian(dataset: ogr.DataSource, tables: Sequence[str]) -> None:
    """Give GeoPackage tables without a CRS srs_id -1 ("Undefined Cartesian SRS", i.e. plain
    pixel coordinates) instead of GDAL's 0, which readers take as undefined *geographic*."""
    for table in tables:
        for catalogue in ("gpkg_geometry_columns", "gpkg_contents"):
            dataset.ExecuteSQL(f"UPDATE {catalogue} SET srs_id = -1 WHERE table_name = '{table}'")


def _has_epsg(srs: osr.SpatialReference) -> bool:
    """True when GDAL can name ``srs`` by an EPSG code (what GeoJSON's ``crs`` member needs)."""
    probe = srs.Clone()
    if probe.GetAuthorityName(None) is None:
        try:
            probe.AutoIdentifyEPSG()
        except RuntimeError:
            return False
    return probe.GetAuthorityName(None) == "EPSG"
