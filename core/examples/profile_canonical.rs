//! Profiling driver (not a benchmark): canonicalizes a ~100 KB document.
fn main() {
    let mut doc = String::from("{\"records\":[");
    for i in 0..400 {
        if i > 0 {
            doc.push(',');
        }
        doc += &format!(
            r#"{{"z":{i},"id":"rec-{i:05}","name":"Zoë \u00e9 {i}","score":{score},"flags":[true,false,null],"tags":["alpha","beta","gamma"],"geo":{{"lon":{lon},"lat":{lat}}},"note":"tab\there \\ slash / {i}","a":1e{e}}}"#,
            score = i as f64 * 1.25 + 0.1,
            lon = 13.404954 + i as f64 / 1000.0,
            lat = -52.520008 - i as f64 / 999.0,
            e = i % 30
        );
    }
    doc += "]}";
    let mut out = vec![0u8; doc.len() * 2];
    let mut total = 0;
    for _ in 0..50 {
        total += signcore::canonical::canonicalize_to_slice(doc.as_bytes(), &mut out).unwrap();
    }
    println!("{total}");
}
