// Converts world-atlas's countries-110m.json (TopoJSON of Natural Earth's 1:110m admin-0
// countries) into assets/map/countries-110m.json, the compact file the landing page's map is
// drawn from: each country's id and name as the package gives them, and its rings as flat
// [longitude, latitude, ...] lists rounded to 0.01 degree (finer than the 1:110m scale draws).
//
//   node assets/map/convert.mjs <world-atlas>/countries-110m.json > assets/map/countries-110m.json
//
// Needs Node alone: TopoJSON's arcs are decoded here (delta-encoded, quantised positions; a
// negative arc index ~i is arc i reversed), so the output depends on the input file only.
import { readFileSync } from 'node:fs';

const [input] = process.argv.slice(2);
if (!input) throw new Error('usage: node convert.mjs <countries-110m.json>');
const topology = JSON.parse(readFileSync(input, 'utf8'));
const { scale, translate } = topology.transform;

// Every arc as absolute [longitude, latitude] positions.
const arcs = topology.arcs.map((arc) => {
  let x = 0;
  let y = 0;
  return arc.map(([dx, dy]) => {
    x += dx;
    y += dy;
    return [x * scale[0] + translate[0], y * scale[1] + translate[1]];
  });
});

const round = (v) => Math.round(v * 100) / 100;

/** A ring from its arc indices, as a flat list without repeated consecutive positions. */
function ring(indices) {
  const points = [];
  for (const i of indices) {
    const arc = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
    // Each arc starts where the previous one ended.
    points.push(...(points.length ? arc.slice(1) : arc));
  }
  const flat = [];
  for (const [lon, lat] of points) {
    const p = [round(lon), round(lat)];
    const n = flat.length;
    if (n && flat[n - 2] === p[0] && flat[n - 1] === p[1]) continue;
    flat.push(...p);
  }
  return flat;
}

const countries = [];
for (const g of topology.objects.countries.geometries) {
  const polygons = g.type === 'Polygon' ? [g.arcs] : g.type === 'MultiPolygon' ? g.arcs : [];
  const rings = polygons.flatMap((polygon) => polygon.map(ring)).filter((r) => r.length >= 6);
  if (rings.length) countries.push({ id: g.id ?? '', name: g.properties?.name ?? '', rings });
}
countries.sort((a, b) => a.name.localeCompare(b.name, 'en'));

const about =
  'Country outlines of Natural Earth (1:110m admin-0 countries, public domain), from the npm ' +
  'package world-atlas 2.0.2 (countries-110m.json, ISC licence, LICENSE.world-atlas). Converted ' +
  'by assets/map/convert.mjs: id and name as the package gives them, rings as flat ' +
  '[longitude, latitude, ...] lists rounded to 0.01 degree.';
// One country a line, so that a diff shows which outline changed.
const lines = countries.map((c) => '  ' + JSON.stringify(c));
process.stdout.write(`{"about": ${JSON.stringify(about)},\n"countries": [\n${lines.join(',\n')}\n]}\n`);
