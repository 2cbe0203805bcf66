package features

// Property sets shared by several collections.
var (
	placeProps = []Property{
		{Name: "name", Type: TypeString, Filterable: true, Title: "Name", Required: true},
		{Name: "address", Type: TypeString, Title: "Address"},
		{Name: "phone", Type: TypeString, Title: "Phone of the place"},
		{Name: "opening_hours", Type: TypeString, Title: "Opening hours"},
		{Name: "district_code", Type: TypeString, Filterable: true, Title: "District (GSO code)"},
		{Name: "ward_code", Type: TypeString, Filterable: true, Title: "Ward (GSO code)"},
	}
	// operatingProps say whether a lookup place serves under the
	// restrictions of the day; opening_hours (placeProps) is read by
	// features/hours.
	operatingProps = []Property{
		{Name: "status", Type: TypeString, Filterable: true, Title: "Operating status", Vocabulary: placeStatuses()},
		{Name: "delivery_phone", Type: TypeString, Title: "Phone for deliveries"},
	}
	areaProps = []Property{
		{Name: "district_code", Type: TypeString, Filterable: true, Title: "District (GSO code)"},
		{Name: "ward_code", Type: TypeString, Filterable: true, Title: "Ward (GSO code)"},
	}
)

func props(sets ...[]Property) []Property {
	var out []Property
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}

func lookup(id, title, titleVI string, priority int) Collection {
	return Collection{
		ID: id, Title: title, TitleVI: titleVI, Group: GroupLookup, Geometry: "Point",
		Description: title + " open to the public, for the lookup control.",
		Properties:  props(placeProps, operatingProps), Priority: priority, MinZoom: 10,
	}
}

// collections is the catalog in display order; ids are the interface contract.
func collections() []Collection {
	return []Collection{
		{
			ID: "cases", Title: "Positive cases (F0)", TitleVI: "Ca dương tính (F0)",
			Description: "Confirmed cases, shown only as counted groups of at least k people inside their ward; no personal data.",
			Group:       GroupSituation, Geometry: "Point", People: true, Priority: 2,
			Properties: props([]Property{
				{Name: "code", Type: TypeString, Filterable: true, Title: "Public case code", Required: true, Unique: true, MaxLength: MaxCodeLength},
				{Name: "report_date", Type: TypeDate, Filterable: true, Title: "Report date", Required: true},
				{Name: "report_session", Type: TypeString, Title: "Bulletin of the day (morning, afternoon, evening)", Vocabulary: sessions()},
				{Name: "origin", Type: TypeString, Filterable: true, Title: "Origin", Required: true, Vocabulary: origins()},
				{Name: "detected_in", Type: TypeString, Filterable: true, Title: "Where detected", Vocabulary: detections()},
				{Name: "cluster", Type: TypeString, Filterable: true, Title: "Cluster"},
				{Name: "status", Type: TypeString, Filterable: true, Title: "Status", Required: true, Vocabulary: caseStatuses()},
				{Name: "status_date", Type: TypeDate, Title: "Date the status was last changed"},
			}, areaProps),
			Temporal: &Temporal{Start: "report_date"},
		},
		{
			ID: "contacts", Title: "Close contacts (F1/F2)", TitleVI: "Tiếp xúc gần (F1/F2)",
			Description: "Close contacts in quarantine, shown only as counted groups of at least k people inside their ward; no personal data.",
			Group:       GroupSituation, Geometry: "Point", People: true, Priority: 3,
			Properties: props([]Property{
				{Name: "tier", Type: TypeString, Filterable: true, Title: "Tier (F1, F2)", Required: true, Vocabulary: tiers()},
				{Name: "quarantine_start", Type: TypeDate, Title: "Quarantine start"},
				{Name: "quarantine_end", Type: TypeDate, Title: "Quarantine end"},
			}, areaProps),
			Temporal: &Temporal{Start: "quarantine_start", End: "quarantine_end"},
		},
		{
			ID: "medical_facilities", Title: "Medical facilities", TitleVI: "Cơ sở y tế",
			Description: "Hospitals, field hospitals by tier, health stations, testing and vaccination sites and mobile medical stations, with their beds and free beds.",
			Group:       GroupSituation, Geometry: "Point", Priority: 1, MinZoom: 8,
			Properties: props([]Property{
				{Name: "kind", Type: TypeString, Filterable: true, Title: "Kind", Vocabulary: facilityKinds()},
				{Name: "beds", Type: TypeInteger, Title: "Beds"},
				{Name: "free_beds", Type: TypeInteger, Title: "Free beds"},
			}, placeProps),
		},
		{
			ID: "epidemic_points", Title: "Epidemiological points", TitleVI: "Điểm dịch tễ",
			Description: "Places a confirmed case visited during its transmission window, with the time window. Which case went where is not public: a list of one person's places is a path.",
			Group:       GroupSituation, Geometry: "Point", Priority: 1, MinZoom: 8,
			Properties: props([]Property{
				{Name: "name", Type: TypeString, Filterable: true, Title: "Name", Required: true},
				{Name: "address", Type: TypeString, Title: "Address"},
				{Name: "visited_from", Type: TypeDate, Title: "From"},
				{Name: "visited_to", Type: TypeDate, Title: "To"},
			}, areaProps),
			Temporal: &Temporal{Start: "visited_from", End: "visited_to"},
		},
		{
			ID: "lockdown_points", Title: "Lockdown points", TitleVI: "Điểm phong tỏa",
			Description: "Points placed under lockdown (hamlet, neighbourhood or residential group), with start and lifting dates.",
			Group:       GroupSituation, Geometry: "Point", Priority: 1, MinZoom: 8,
			Properties: props([]Property{
				{Name: "name", Type: TypeString, Filterable: true, Title: "Name", Required: true},
				{Name: "address", Type: TypeString, Title: "Address"},
				{Name: "level", Type: TypeString, Filterable: true, Title: "Level", Vocabulary: levels()},
				{Name: "start", Type: TypeDate, Title: "Start"},
				{Name: "end", Type: TypeDate, Title: "Lifted"},
			}, areaProps),
			Temporal: &Temporal{Start: "start", End: "end"},
		},
		{
			ID: "emergency_stations", Title: "Emergency stations", TitleVI: "Trạm cấp cứu",
			Description: "Mobile emergency and first-aid stations.",
			Group:       GroupSituation, Geometry: "Point", Priority: 1, MinZoom: 8,
			Properties: props(placeProps),
		},
		{
			ID: "quarantine_zones", Title: "Isolation zones", TitleVI: "Vùng cách ly",
			Description: "Quarantine polygons drawn by officials; only published and lifted zones are public.",
			Group:       GroupSituation, Geometry: "MultiPolygon", Priority: 0,
			Properties: props([]Property{
				{Name: "name", Type: TypeString, Filterable: true, Title: "Name", Required: true},
				{Name: "status", Type: TypeString, Filterable: true, Title: "Status", Required: true, Vocabulary: zoneStatuses()},
				{Name: "level", Type: TypeString, Filterable: true, Title: "Level", Vocabulary: levels()},
				{Name: "revision", Type: TypeInteger, Title: "Revision", Default: int64(1)},
				{Name: "start", Type: TypeDate, Title: "Start"},
				{Name: "end", Type: TypeDate, Title: "Lifted"},
			}, areaProps),
			Temporal: &Temporal{Start: "start", End: "end"},
			// Draft zones are being drawn by officials and are not in force.
			Hidden: &Hiding{Property: "status", Values: []string{ZoneDraft}},
		},
		lookup("markets", "Markets", "Chợ", 5),
		lookup("shopping_centres", "Shopping centres", "Trung tâm thương mại", 5),
		lookup("convenience_stores", "Convenience stores", "Cửa hàng tiện lợi", 6),
		lookup("mask_sale_points", "Mask sale points", "Điểm bán khẩu trang", 6),
		lookup("supermarkets", "Supermarkets", "Siêu thị", 5),
		lookup("petrol_stations", "Petrol stations", "Cửa hàng xăng dầu", 5),
		{
			ID: "districts", Title: "Districts", TitleVI: "Huyện, thị xã, thành phố",
			Description: "District-level units with their GSO codes.",
			Group:       GroupBoundary, Geometry: "MultiPolygon", Priority: 4,
			Properties: []Property{
				{Name: "code", Type: TypeString, Filterable: true, Title: "GSO code", Required: true, Unique: true},
				{Name: "name", Type: TypeString, Filterable: true, Title: "Name", Required: true},
				{Name: "level", Type: TypeString, Title: "Level"},
			},
		},
		{
			ID: "wards", Title: "Wards and communes", TitleVI: "Phường, xã, thị trấn",
			Description: "Commune-level units with their GSO codes.",
			Group:       GroupBoundary, Geometry: "MultiPolygon", Priority: 4, MinZoom: 9,
			Properties: []Property{
				{Name: "code", Type: TypeString, Filterable: true, Title: "GSO code", Required: true, Unique: true},
				{Name: "name", Type: TypeString, Filterable: true, Title: "Name", Required: true},
				{Name: "level", Type: TypeString, Title: "Level"},
				{Name: "district_code", Type: TypeString, Filterable: true, Title: "District (GSO code)"},
			},
		},
	}
}
